"""The communication rules, kill-switches and their trace move from the access app: Django's state only.
The tables keep their names (Meta.db_table) and their rows; access 0002 drops the models from the access app's
state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('access', '0001_initial'),
        ('directory', '0002_person_left_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CommunicationChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('rules_saved', 'Règles de communication modifiées'), ('rules_reset', 'Règles de communication remises par défaut'), ('paused', 'Envoi de messages coupé'), ('resumed', 'Envoi de messages rétabli'), ('pupils_reset', 'Mots de passe des élèves réinitialisés')], max_length=16)),
                        ('detail', models.CharField(blank=True, max_length=200)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.school')),
                    ],
                    options={
                        'db_table': 'access_communicationchange',
                        'verbose_name': 'changement des règles de communication',
                        'verbose_name_plural': 'changements des règles de communication',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['school', '-at'], name='access_comm_school__589d3b_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='CommunicationRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('profile', models.CharField(choices=[('Student', 'Élève'), ('Relative', 'Parent'), ('Teacher', 'Enseignant'), ('Personnel', 'Personnel'), ('Guest', 'Invité')], max_length=16, verbose_name='profil de l’auteur')),
                        ('audience', models.CharField(choices=[('pupils', 'Élèves'), ('guardians', 'Parents'), ('teachers', 'Enseignants'), ('direction', 'Direction'), ('vie_scolaire', 'Vie scolaire'), ('other_staff', 'Autres personnels')], max_length=16, verbose_name='destinataires')),
                        ('scope', models.CharField(choices=[('class', 'Dans la classe'), ('school', 'Dans l’établissement'), ('other_schools', 'Dans les autres établissements')], max_length=16, verbose_name='portée')),
                        ('allowed', models.BooleanField(default=False, verbose_name='autorisé')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.school')),
                    ],
                    options={
                        'db_table': 'access_communicationrule',
                        'verbose_name': 'règle de communication',
                        'verbose_name_plural': 'règles de communication',
                        'constraints': [models.UniqueConstraint(fields=('school', 'profile', 'audience', 'scope'), name='unique_communication_rule')],
                    },
                ),
                migrations.CreateModel(
                    name='SendingPause',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('profile', models.CharField(choices=[('Student', 'Élève'), ('Relative', 'Parent'), ('Teacher', 'Enseignant'), ('Personnel', 'Personnel'), ('Guest', 'Invité')], max_length=16, verbose_name='profil')),
                        ('since', models.DateTimeField(default=django.utils.timezone.now, verbose_name='depuis')),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.school')),
                    ],
                    options={
                        'db_table': 'access_sendingpause',
                        'verbose_name': 'coupure de l’envoi de messages',
                        'verbose_name_plural': 'coupures de l’envoi de messages',
                        'indexes': [models.Index(fields=['profile', 'school'], name='access_send_profile_0d896d_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('school__isnull', False)), fields=('school', 'profile'), name='unique_school_sending_pause'), models.UniqueConstraint(condition=models.Q(('school__isnull', True)), fields=('profile',), name='unique_platform_sending_pause')],
                    },
                ),

            ],
        ),
    ]
