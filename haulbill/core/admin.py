from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "company", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status", "company"]
    readonly_fields = [f.name for f in Job._meta.fields]
