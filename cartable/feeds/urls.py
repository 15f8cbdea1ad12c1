from django.urls import path

from cartable.feeds import views

app_name = "feeds"

urlpatterns = [
    path("<str:uai>/import/", views.upload, name="import_upload"),
    path("<str:uai>/import/<int:job_id>/colonnes", views.mapping, name="import_mapping"),
    path("<str:uai>/import/<int:job_id>/apercu", views.preview, name="import_preview"),
    path("<str:uai>/import/<int:job_id>", views.job_detail, name="import_job"),
    path("<str:uai>/import/<int:job_id>/rapport.csv", views.report, name="import_report"),
]
