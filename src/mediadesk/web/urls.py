from django.urls import path

from mediadesk.web.views import audit, auth, home, org, people, tokens

app_name = "web"

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("me/password/", auth.change_password, name="change_password"),
    # Domains of later releases: an honest placeholder until each module lands.
    *[
        path(f"{module}/", home.module_placeholder, {"module": module}, name=module)
        for module in home.PLACEHOLDER_MODULES
    ],
    path("audit/", audit.audit_log, name="audit"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("settings/org/", org.org_tree, name="org_tree"),
    path("settings/org/<int:unit_id>/", org.unit_detail, name="unit_detail"),
    path("settings/org/<int:unit_id>/delete/", org.unit_delete, name="unit_delete"),
    path("settings/people/", people.people_list, name="people"),
    path("settings/people/new/", people.person_new, name="person_new"),
    path("settings/people/<int:person_id>/", people.person_detail, name="person_detail"),
    path(
        "settings/people/<int:person_id>/deactivate/",
        people.person_deactivate,
        name="person_deactivate",
    ),
    path("settings/roles/", people.roles, name="roles"),
    path("settings/tokens/", tokens.tokens, name="tokens"),
]
