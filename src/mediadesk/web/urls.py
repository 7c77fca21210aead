from django.urls import path

from mediadesk.web.views import (
    account_admin,
    accounts,
    applications,
    audit,
    auth,
    compliance,
    content,
    home,
    notifications,
    oauth,
    org,
    people,
    planning,
    publishing,
    review,
    tokens,
    workflows,
)

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
    # The account matrix (ACC-1 … ACC-7).
    path("accounts/", accounts.matrix, name="accounts"),
    path("accounts/list/", accounts.account_list, name="account_list"),
    path("accounts/export/", accounts.account_export, name="account_export"),
    path("accounts/import/", accounts.account_import, name="account_import"),
    path("accounts/import/template/", accounts.import_template, name="account_import_template"),
    path("accounts/apply/", applications.apply, name="account_apply"),
    path("accounts/<int:account_id>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:account_id>/avatar/", accounts.account_avatar, name="account_avatar"),
    path("accounts/<int:account_id>/connect/", accounts.account_connect, name="account_connect"),
    # Weibo and Douyin send the browser back here after the owner authorised the app.
    path("oauth/<str:platform>/callback/", oauth.oauth_callback, name="oauth_callback"),
    path("accounts/applications/", applications.queue, name="applications"),
    path(
        "accounts/applications/<int:application_id>/",
        applications.application_detail,
        name="application_detail",
    ),
    path("accounts/filings/", account_admin.filings, name="filings"),
    path(
        "accounts/filings/<int:filing_id>/complete/",
        accounts.filing_complete,
        name="filing_complete",
    ),
    path("accounts/rotation-tasks/", account_admin.rotation_tasks, name="rotation_tasks"),
    path("accounts/standards/", account_admin.brand_standards, name="brand_standards"),
    path("accounts/standards/<int:unit_id>/", account_admin.brand_standard, name="brand_standard"),
    path("accounts/standards/<int:unit_id>/logo/", account_admin.brand_logo, name="brand_logo"),
    path("accounts/company-names/", account_admin.company_names, name="company_names"),
    path("accounts/personal-check/", account_admin.personal_check, name="personal_check"),
    # Compliance (CMP-6): check copy, each unit's lexicon additions.
    path("compliance/check/", compliance.compliance_check, name="compliance_check"),
    path("compliance/lexicon/", compliance.compliance_lexicon, name="compliance_lexicon"),
    path(
        "compliance/lexicon/entries/<int:entry_id>/remove/",
        compliance.compliance_entry_remove,
        name="compliance_entry_remove",
    ),
    # Content planning (CNT-1 … CNT-5).
    path("content/", content.content_list, name="content"),
    path("content/new/", content.content_new, name="content_new"),
    path("content/preview/", content.content_preview, name="content_preview"),
    path("content/<int:item_id>/", content.content_detail, name="content_detail"),
    path("content/<int:item_id>/edit/", content.content_edit, name="content_edit"),
    path("content/<int:item_id>/copy/", content.content_copy_variant, name="content_copy_variant"),
    path("content/goals/", planning.goals, name="content_goals"),
    path("content/goals/<int:goal_id>/", planning.goal_detail, name="content_goal"),
    path("content/topics/", planning.topics, name="content_topics"),
    path("content/topics/<int:topic_id>/", planning.topic_detail, name="content_topic"),
    path("content/assets/", planning.assets, name="content_assets"),
    path("content/assets/<int:asset_id>/", planning.asset_detail, name="content_asset"),
    path("content/assets/<int:asset_id>/file/", planning.asset_file, name="content_asset_file"),
    path("content/backups/", planning.backups, name="content_backups"),
    # Review (REV-1 … REV-4).
    path("review/", review.review_queue, name="review"),
    path("review/returned/", review.review_returned, name="review_returned"),
    path("review/flow/", review.review_flow, name="review_flow"),
    path("review/flow/export/", review.review_flow_export, name="review_flow_export"),
    path("review/<int:round_id>/", review.review_round, name="review_round"),
    # Publishing (PUB-1 … PUB-6): the calendar, scheduling, publications.
    path("publishing/calendar/", publishing.calendar, name="calendar"),
    path("publishing/schedule/", publishing.schedule, name="publishing_schedule"),
    path("publishing/publications/", publishing.publication_list, name="publications"),
    path(
        "publishing/publications/<int:publication_id>/",
        publishing.publication_detail,
        name="publication_detail",
    ),
    path(
        "publishing/publications/<int:publication_id>/move/",
        publishing.publication_move,
        name="publication_move",
    ),
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
        "settings/people/<int:person_id>/offboard/",
        account_admin.person_offboard,
        name="person_offboard",
    ),
    path("settings/roles/", people.roles, name="roles"),
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/workflows/", workflows.workflow_list, name="workflows"),
    path("settings/workflows/new/", workflows.workflow_new, name="workflow_new"),
    path(
        "settings/workflows/<int:workflow_id>/",
        workflows.workflow_detail,
        name="workflow_detail",
    ),
    # Notifications: the centre, my channels, units' group robots.
    path("notifications/", notifications.notification_center, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "settings/notifications/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("settings/robots/", notifications.robots, name="robots"),
    path("settings/robots/<int:robot_id>/test/", notifications.robot_test, name="robot_test"),
    path("settings/robots/<int:robot_id>/remove/", notifications.robot_remove, name="robot_remove"),
]
