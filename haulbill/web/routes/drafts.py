from django.urls import path

from haulbill.web.views import drafts

urlpatterns = [
    path("drafts/", drafts.draft_list, name="drafts"),
    path("drafts/<int:pk>/", drafts.draft_detail, name="draft-detail"),
    path("drafts/<int:pk>/pro-forma.pdf", drafts.draft_pdf, name="draft-pdf"),
    path("drafts/<int:pk>/lines/new/", drafts.line_add, name="draft-line-add"),
    path("drafts/<int:pk>/transports/", drafts.transports_add, name="draft-transports"),
    path("drafts/<int:pk>/ungroup/", drafts.draft_ungroup, name="draft-ungroup"),
    path("drafts/<int:pk>/cancel/", drafts.draft_cancel, name="draft-cancel"),
    path("drafts/lines/<int:pk>/", drafts.line_edit, name="draft-line-edit"),
    path("drafts/lines/<int:pk>/remove/", drafts.line_remove, name="draft-line-remove"),
]
