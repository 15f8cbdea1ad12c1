import pytest

from cartable.directory import demo
from cartable.messaging.models import Message, Recipient

pytestmark = pytest.mark.django_db


def test_demo_has_a_conversation_between_a_teacher_and_the_demo_guardian():
    demo.seed(demo.Plan(schools=2, pupils_per_class=3))
    outing = Message.objects.get(subject__startswith="Sortie au musée")
    assert outing.recipient_count == Recipient.objects.filter(message=outing).count() > 1
    answer = Message.objects.get(reply_to=outing)
    assert answer.thread_id == outing.pk
    assert Recipient.objects.filter(message=answer, person=outing.sender).exists()
    guardian = answer.sender
    assert Recipient.objects.filter(person=guardian).count() >= 2  # the outing and the CPE's question
