from django.urls import path

from cartable.liaison import views

app_name = "liaison"

urlpatterns = [
    path("", views.index, name="index"),
    path("mot/nouveau", views.mot_new, name="mot_new"),
    path("mot/<int:mot_id>/", views.mot, name="mot"),
    path("mot/<int:mot_id>/modifier", views.mot_edit, name="mot_edit"),
    path("mot/piece-jointe/<int:attachment_id>", views.attachment, name="attachment"),
    path("mot/<int:mot_id>/signer", views.sign, name="sign"),
    path("mot/<int:mot_id>/relancer", views.remind, name="remind"),
    path("mot/<int:mot_id>/reponses.csv", views.replies_csv, name="replies_csv"),
    path("mot/<int:mot_id>/coupons.pdf", views.slips_pdf, name="slips_pdf"),
    path("famille/nouveau", views.family_mot_new, name="family_mot_new"),
    path("famille/<int:mot_id>/", views.family_mot, name="family_mot"),
    path("famille/<int:mot_id>/lu", views.acknowledge, name="acknowledge"),
]
