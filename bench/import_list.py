"""Writes a list like those mutual-aid groups kept in 2022: N rows, households of 1-5,
Cyrillic names with ФИО in one column, DD.MM.YYYY dates, passports, phones; about 2% of
rows carry a mistake (an impossible date) so the quarantine path is timed too.

    python3 bench/import_list.py 100000 > /tmp/list.csv
"""
import random
import sys

random.seed(2022)
MALE = ["Александр", "Алексей", "Андрей", "Артём", "Дмитрий", "Евгений", "Иван", "Игорь", "Илья", "Кирилл", "Максим", "Михаил", "Никита", "Павел", "Роман", "Сергей"]
FEMALE = ["Анна", "Дарья", "Екатерина", "Елена", "Ирина", "Мария", "Наталья", "Ольга", "Светлана", "Татьяна"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев"]

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.stdout
out.write("Семья;ФИО;Дата рождения;Пол;Паспорт;Телефон;Город\n")
row = 0
family = 0
while row < n:
    family += 1
    surname = random.choice(SURNAMES)
    size = min(random.choice([1, 1, 1, 2, 2, 3, 4, 5]), n - row)
    for i in range(size):
        female = i == 1 or (i > 1 and random.random() < 0.5)
        name = random.choice(FEMALE if female else MALE)
        father = random.choice(MALE)
        patronymic = father + ("овна" if female else "ович")
        full = f"{surname}{'а' if female else ''} {name} {patronymic}"
        year = random.randint(1960, 2004) if i < 2 else random.randint(2006, 2021)
        day, month = random.randint(1, 28), random.randint(1, 12)
        if random.random() < 0.02:
            day, month = 31, 2
        passport = f"{random.randint(1000, 9999)} {random.randint(100000, 999999)}" if i < 2 else ""
        phone = f"+7 9{random.randint(10, 99)} {random.randint(100, 999)} {random.randint(1000, 9999)}" if i == 0 else ""
        out.write(f"F{family};{full};{day:02}.{month:02}.{year};{'ж' if female else 'м'};{passport};{phone};Oral\n")
        row += 1
