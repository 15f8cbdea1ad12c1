from django.urls import path

from cartable.console import pupil_accounts, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("annee-scolaire", views.school_year, name="school_year"),
    path("annee-scolaire/annuler", views.school_year_undo, name="school_year_undo"),
    path("<str:uai>/", views.school_home, name="school"),
    path("<str:uai>/personnes", views.people, name="people"),
    path("<str:uai>/personnes/nouvelle", views.person_new, name="person_new"),
    path("<str:uai>/personnes/eleves", views.pupil_options, name="pupil_options"),
    path("<str:uai>/personnes/<int:person_id>", views.person_detail, name="person"),
    path("<str:uai>/personnes/<int:person_id>/connexions", views.person_logins, name="person_logins"),
    path("<str:uai>/personnes/<int:person_id>/bloquer", views.person_block, name="person_block"),
    path("<str:uai>/personnes/<int:person_id>/debloquer", views.person_unblock, name="person_unblock"),
    path("<str:uai>/personnes/<int:person_id>/opposition", views.person_objection, name="person_objection"),
    path(
        "<str:uai>/personnes/<int:person_id>/opposition/lever",
        views.person_objection_withdraw,
        name="person_objection_withdraw",
    ),
    path("<str:uai>/personnes/<int:person_id>/code", views.person_new_code, name="person_code"),
    path(
        "<str:uai>/personnes/<int:person_id>/mot-de-passe", views.person_reset_password, name="person_reset"
    ),
    path("<str:uai>/personnes/<int:person_id>/modifier", views.person_edit, name="person_edit"),
    path("<str:uai>/personnes/<int:person_id>/famille", views.person_family, name="person_family"),
    path(
        "<str:uai>/personnes/<int:person_id>/famille/<int:link_id>/retirer",
        views.person_unlink,
        name="person_unlink",
    ),
    path("<str:uai>/lettres", views.letters_page, name="letters"),
    path("<str:uai>/eleves/reinitialisation", pupil_accounts.pupils_reset, name="pupils_reset"),
    path("<str:uai>/corrections", views.corrections, name="corrections"),
    path("<str:uai>/corrections/<int:request_id>", views.correction_answer, name="correction_answer"),
    path("<str:uai>/applications", views.app_switches, name="apps"),
    path("<str:uai>/reglages", views.school_settings, name="settings"),
]
