from django.urls import path

from cartable.console import pupil_accounts

app_name = "pupil_accounts"

urlpatterns = [
    path("classe/<int:group_id>", pupil_accounts.class_page, name="class"),
    path("classe/<int:group_id>/cartes", pupil_accounts.print_cards, name="cards"),
    path(
        "classe/<int:group_id>/eleve/<int:person_id>/mot-de-passe",
        pupil_accounts.reset_password,
        name="reset",
    ),
]
