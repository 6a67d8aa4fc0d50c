"""More rows, to show that page query counts do not grow with them."""

import datetime

from staffing.idcards import make_id_number
from staffing.models import Attendance, ExamResult, Person, Position, Posting, TrainingClass


def add_people(demo, count, street="南湖", committee="沿河社区"):
    street, committee = demo["streets"][street], demo["committees"][committee]
    position = Position.objects.get(code="social-worker")
    training = TrainingClass.objects.create(title="加测培训", date=datetime.date(2006, 9, 1))
    people = []
    for index in range(count):
        birth = datetime.date(1970 + index % 20, 1 + index % 12, 1 + index % 28)
        person = Person.objects.create(
            name=f"测试{index}",
            street=street,
            birth_date=birth,
            gender="m",
            id_number=make_id_number("320105", birth, 801 + (index * 2) % 198),
        )
        Posting.objects.create(
            person=person, committee=committee, position=position, start_date=datetime.date(2006, 1, 1)
        )
        Attendance.objects.create(person=person, training_class=training)
        ExamResult.objects.create(person=person, passed_on=datetime.date(2006, 12, 1))
        people.append(person)
    return people
