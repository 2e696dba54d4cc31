from django.urls import path

from haulbill.web.views import apitokens

urlpatterns = [
    path("settings/api-tokens/", apitokens.token_list, name="api-tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", apitokens.token_revoke, name="api-token-revoke"),
    path("settings/audit/", apitokens.audit_log, name="audit-log"),
]
