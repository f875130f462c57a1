# Shanyrak — интерфейс на русском (язык по умолчанию).
# Ключи совпадают с en.ftl; тест проверяет, что ни один не пропущен.

## Общее

common-required = обязательно
common-yes = да
common-no = нет
common-save = Сохранить
common-cancel = Отмена
common-actions = Действия
common-households = { $count ->
    [one] { $count } домохозяйство
    [few] { $count } домохозяйства
   *[other] { $count } домохозяйств
}
common-people = { $count ->
    [one] { $count } человек
    [few] { $count } человека
   *[other] { $count } человек
}

## Навигация и язык

nav-label = Разделы
nav-skip = Перейти к содержимому
nav-reception = Приём
nav-find = Поиск
nav-sites = Места размещения
nav-dispatch = Распределение
nav-duplicates = Дубликаты
nav-dashboard = Сводка
nav-logout = Выйти
nav-signed-in-as = Вы вошли как
enum-role-admin = администратор
enum-role-registrar = регистратор
enum-role-site-manager = управляющий местом размещения
enum-role-dispatcher = диспетчер
enum-role-distributor = сотрудник раздачи
enum-role-caseworker = социальный работник
enum-role-analyst = аналитик
enum-role-auditor = аудитор
lang-label = Язык
lang-apply = Выбрать

## Вход

login-title = Вход
login-email = Эл. почта
login-password = Пароль
login-submit = Войти
login-failed = Неверная эл. почта или пароль.
login-locked = Слишком много неудачных попыток. Учётная запись временно заблокирована, попробуйте позже.
login-busy = Сервер сейчас проверяет много входов. Подождите несколько секунд и попробуйте снова.

## Ошибки

error-title = Не получилось
error-back = На главную
error-csrf = Форма устарела или отправлена не с этой страницы. Откройте страницу заново и повторите.
error-unauthorized = Нужно войти в систему.
error-forbidden = Вашей роли это действие недоступно.
error-not-found = Запись не найдена.
error-invalid = Данные не приняты: проверьте поля.
error-conflict = Запись тем временем изменил кто-то другой. Откройте её заново.
error-admission = Эти места нельзя занять (нет мест или правила места не позволяют).
error-too-many = Слишком много попыток. Подождите немного.
error-busy = Сервер занят тяжёлой работой (например, расчётом размещения). Повторите через минуту или возьмите один город.
error-starting = Сервер только что запущен и ещё загружает реестр для проверки дублей. Ничего не сохранено. Повторите через несколько секунд.
error-internal = Внутренняя ошибка. Данные не потеряны; попробуйте ещё раз.

## Поля

field-name = ФИО
field-surname = Фамилия
field-given-name = Имя
field-patronymic = Отчество
field-sex = Пол
field-birth-date = Дата рождения
field-birth-date-hint = ДД.ММ.ГГГГ; если известен только год — ГГГГ
field-birth-date-estimated = Дата примерная
field-birth-date-estimated-short = примерно
field-relationship = Кем приходится главе
field-citizenship = Гражданство
field-document-type = Документ
field-document-number = Номер документа
field-document-number-hint = Формат зависит от документа; пробелы и дефисы можно не вводить.
field-vulnerabilities = Уязвимость
field-group = Группа населения
field-arrival-date = Дата прибытия
field-crossing-point = Пункт пропуска
field-country = Страна
field-region = Область
field-city = Город / населённый пункт
field-current-place = Где они сейчас, если ещё не в городе (город или пункт пропуска)
field-phone = Телефон
field-languages = Языки
field-needs = Потребности
field-accepts-sex-separation = Согласны, что мужчины и женщины будут спать в разных помещениях
field-accepts-several-rooms = Большая семья согласна занять несколько комнат в одном месте
field-legal-basis = Правовое основание
field-information-given = Человеку объяснили, что записывается, зачем и кто это увидит
field-information-given-hint = Обязательно при согласии как основании.
field-notes = Заметки
field-notes-hint = Только то, что нужно для помощи. Не пишите сюда диагнозы и чужие данные.
field-reference = Код
field-status = Статус
field-site = Место

field-error-required = Заполните это поле.
field-error-empty = Поле не может быть пустым.
field-error-too-long = Слишком длинно.
field-error-too-many = Слишком много значений.
field-error-control-character = Недопустимые символы.
field-error-invalid-format = Неверный формат.
field-error-invalid-date = Дата не распознана: введите ДД.ММ.ГГГГ.
field-error-no-such-date = Такого дня нет в календаре: проверьте число и месяц.
field-error-date-in-future = Дата ещё не наступила.
field-error-date-implausible = Дата неправдоподобна.
field-error-unknown-country = Неизвестная страна.
field-error-invalid-phone = Номер телефона не распознан.
field-error-invalid-document-number = Номер не соответствует формату документа.
field-error-document-checksum = Номер с ошибкой: не сходится контрольная цифра.
field-error-document-birth-date-mismatch = Дата рождения в номере (ИИН, ПИН) не совпадает с введённой.
field-error-document-sex-mismatch = Пол в номере (ИИН, ПИН) не совпадает с введённым.
field-error-document-country-mismatch = Страна выдачи не подходит к этому документу.
field-error-duplicate = Значение повторяется.
field-error-no-head = Укажите главу домохозяйства.
field-error-several-heads = Глава домохозяйства должен быть один.
field-error-unknown-member = Такого члена семьи нет.
field-error-read-only = Это поле нельзя менять.
field-error-invalid-type = Неверное значение.
field-error-unknown-field = Неизвестное поле.
field-error-invalid-value = Недопустимое значение.
field-error-information-given-invalid-value = При согласии человеку нужно сначала объяснить, что записывается и зачем; отметьте это.

## Значения

enum-sex-female = женский
enum-sex-male = мужской
enum-sex-unknown = не указан
enum-group-arrival = прибывшие из-за рубежа
enum-group-idp = внутренне перемещённые
enum-group-returnee = вернувшиеся
enum-group-host-community = принимающее население
enum-need-shelter = жильё
enum-need-food = питание
enum-need-medical = медицинская помощь
enum-need-legal = юридическая помощь
enum-need-onward-travel = дальнейший путь
enum-need-other = другое
enum-relationship-head = глава
enum-relationship-spouse = супруг(а)
enum-relationship-child = ребёнок
enum-relationship-parent = родитель
enum-relationship-sibling = брат / сестра
enum-relationship-grandchild = внук / внучка
enum-relationship-grandparent = дедушка / бабушка
enum-relationship-other-relative = другой родственник
enum-relationship-non-relative = не родственник
enum-vulnerability-child = ребёнок
enum-vulnerability-unaccompanied-minor = несовершеннолетний без сопровождения
enum-vulnerability-older-person = пожилой человек
enum-vulnerability-disability = инвалидность
enum-vulnerability-medical = медицинские нужды
enum-vulnerability-pregnant = беременность
enum-vulnerability-single-caregiver = один(одна) с детьми
enum-vulnerability-protection-risk = риск для безопасности
enum-legal-basis-consent = согласие
enum-legal-basis-vital-interest = жизненно важные интересы
enum-legal-basis-public-interest = общественный интерес
enum-status-active = активно
enum-status-moved-on = выбыли
enum-status-closed = закрыто
enum-document-ru-internal-passport = паспорт РФ
enum-document-ru-international-passport = загранпаспорт РФ
enum-document-kz-id = удостоверение / паспорт РК (ИИН)
enum-document-kg-id = ID-карта КР (ПИН)
enum-document-passport-other = другой паспорт
enum-document-birth-certificate = свидетельство о рождении
enum-document-none = нет документа
enum-pool-male-dorm = мужское общежитие
enum-pool-female-dorm = женское общежитие
enum-pool-family-room = семейные комнаты
enum-pool-mixed = общий зал
enum-site-kind-sports-hall = спортзал
enum-site-kind-mosque = мечеть
enum-site-kind-cinema = кинотеатр
enum-site-kind-school = школа
enum-site-kind-dormitory = общежитие
enum-site-kind-hostel = хостел
enum-site-kind-hotel = гостиница
enum-site-kind-private-accommodation = частное жильё
enum-site-kind-other = другое
enum-site-status-open = открыто
enum-site-status-full = заполнено
enum-site-status-closed = закрыто
enum-site-kind-group-collective = общее помещение
enum-site-kind-group-commercial = хостел или гостиница
enum-site-kind-group-private = частное жильё
enum-stay-reserved = забронировано
enum-stay-checked-in = заселены
enum-stay-checked-out = выехали
enum-stay-cancelled = отменено
enum-stay-expired = бронь истекла

country-ru = Россия
country-kz = Казахстан
country-kg = Кыргызстан
country-uz = Узбекистан
country-tj = Таджикистан
country-by = Беларусь
country-ua = Украина
country-am = Армения
country-az = Азербайджан
country-ge = Грузия

linkage-field-surname = фамилия
linkage-field-given-name = имя
linkage-field-patronymic = отчество
linkage-field-birth-date = дата рождения
linkage-field-document = документ
linkage-field-phone = телефон
linkage-field-sex = пол
linkage-field-citizenship = гражданство
linkage-field-address = адрес

## Приём

reception-title = Приём: новая регистрация
reception-household = Домохозяйство
reception-members = Члены семьи
reception-member-title = Человек { $number }
reception-add-member = Добавить человека
reception-remove-member = Убрать этого человека
reception-check = Проверить на дубликаты
reception-save = Зарегистрировать
reception-more = Ещё сведения
reception-errors = { $count ->
    [one] Исправьте { $count } ошибку.
    [few] Исправьте { $count } ошибки.
   *[other] Исправьте { $count } ошибок.
}
reception-no-duplicates = Похожих записей не найдено.
reception-already-saved = Эта форма уже была сохранена. Проверьте данные и сохраните как новую регистрацию.
reception-duplicates-title = Возможно, уже зарегистрирован(а):
reception-duplicates-open = открыть
reception-duplicates-partner = Похожая запись есть у партнёрской организации.
reception-duplicates-probability = совпадение { $percent } %
reception-duplicates-agree = совпадает:
reception-duplicates-disagree = различается:
reception-duplicates-new = Это другой человек — регистрировать отдельно
reception-decide-duplicates = { $count ->
    [one] { $count } человек, возможно, уже зарегистрирован. Отметьте у него: это тот же человек или другой — и сохраните снова.
    [few] { $count } человека, возможно, уже зарегистрированы. Отметьте у каждого: это тот же человек или другой — и сохраните снова.
   *[other] { $count } человек, возможно, уже зарегистрированы. Отметьте у каждого: это тот же человек или другой — и сохраните снова.
}
reception-duplicates-decide = Выберите: тот же человек или другой.

## Карточка

card-title = Карточка домохозяйства
card-registered = Зарегистрировано.
card-attached = { $count ->
    [one] { $count } человек связан с уже существующей записью.
    [few] { $count } человека связаны с уже существующими записями.
   *[other] { $count } человек связаны с уже существующими записями.
}
card-qr = QR-код с кодом домохозяйства
card-keep = Сохраните этот код: по нему вас найдут в пункте размещения и при выдаче помощи.
card-open = Открыть запись
card-next = Следующая регистрация

## Поиск

find-title = Поиск
find-label = Имя, номер документа, телефон или код
find-hint = Имя можно вводить кириллицей или латиницей, в любом порядке.
find-submit = Найти
find-results = { $count ->
    [one] Найден { $count } человек
    [few] Найдено { $count } человека
   *[other] Найдено { $count } человек
}
find-none = Никого не найдено. Попробуйте другое написание или номер документа.
find-invalid = Введите от 1 до 200 символов.

## Домохозяйство

household-title = Домохозяйство
household-card = Карточка и QR-код
household-edit = Изменить
household-save = Сохранить изменения
household-registered = Зарегистрировано
household-stays = Размещение
household-no-stays = Размещений не было.
household-stay-from = С
household-stay-to = По
household-reserved-until = бронь до
household-audit = История изменений
household-audit-when = Когда
household-audit-who = Кто
household-audit-what = Что
rights-column = Их данные
rights-data-link = Что мы храним
rights-erase-link = Удалить…
rights-back = К домохозяйству
rights-data-title = Что мы храним об этом человеке
rights-data-intro = Всё, что записано о человеке, на
rights-data-download = Скачать файл для выдачи (JSON)
rights-data-reads = Кто открывал запись
rights-data-purpose = Цель
rights-data-changes = Изменения записи
rights-data-stays = Проживание в пунктах размещения
rights-data-received = Полученная помощь
rights-data-cases = Дела
rights-data-cases-withheld = (не показано: { $count }, только для социальных работников)
rights-data-referrals = Направления
rights-data-agreements = Соглашения организации об обмене данными
rights-erase-title = Удалить данные этого человека
rights-erase-warning = Удаление нельзя отменить. Удаляются имена, документы, день и месяц рождения, уязвимости, записи по делам и копии в истории изменений; человек остаётся только анонимно в подсчётах. Делайте это только по просьбе самого человека.
rights-erase-reason = Причина
rights-erase-reason-hint = Сохраняется в журнале аудита после удаления данных: не называйте человека. Не более 500 символов.
rights-erase-confirm = Удалить навсегда
rights-erased-title = Данные удалены
rights-erased-done = Данные человека удалены. В подсчётах он остаётся анонимно.
rights-erased-audit = Удалено записей истории изменений
rights-erased-review = Удалено пар на проверку дублей
rights-erased-imports = Удалено строк и файлов импорта
rights-erased-household = Домохозяйство обезличено (других членов нет)
household-changed-meanwhile = Пока вы редактировали, запись изменил кто-то другой. Откройте её заново и внесите изменения ещё раз.

## Места размещения

sites-title = Места размещения
sites-none = Мест пока нет.
sites-cities = Города
sites-choose-city = Выберите город, чтобы увидеть его пункты размещения.
sites-time-zone = Время здесь — по часовому поясу { $zone } (сейчас { $now }).
sites-count = { $count ->
    [one] { $count } пункт
    [few] { $count } пункта
   *[other] { $count } пунктов
}
sites-no-pools = Нет спальных мест.
sites-others = Другие места размещения
sites-others-hint = Названия и адреса видят только те, кто размещает людей в этих местах.
sites-kind-group = Тип
sites-free-beds = Свободных мест
sites-pool-kind = Помещение
sites-occupancy = Занятость
sites-occupied = занято
sites-reserved = забронировано
sites-free = свободно
sites-bar-label = { $capacity ->
    [one] { $capacity } место
    [few] { $capacity } места
   *[other] { $capacity } мест
  }: занято { $occupied }, забронировано { $reserved }, свободно { $free }
sites-room-size = { $count ->
    [one] { $count } место
    [few] { $count } места
   *[other] { $count } мест
}
sites-check-in = Заселение
sites-reference = Код домохозяйства
sites-reference-hint = С карточки; можно вводить без дефисов, кириллицей или латиницей.
sites-check-in-submit = Заселить
sites-scan = Сканировать QR
sites-beds = Спальные места
sites-edit-beds = Изменить места
sites-beds-total = Всего
sites-beds-blocked = Не работают
sites-beds-step-free = Без ступеней
sites-beds-transitory = Транзитные
sites-residents = Проживают и ожидаются
sites-no-residents = Никого нет.
sites-nights = Ночей
sites-overdue = давно не видели
sites-max-nights = срок проживания истёк
sites-seen = Отметить: на месте
sites-check-out = Выселить
sites-cancel = Отменить бронь
sites-persons = Людей
sites-done-checked-in = Заселены.
sites-done-checked-out = Выселены.
sites-done-cancelled = Бронь отменена.
sites-done-seen = Отмечено.
sites-done-pool-saved = Места сохранены.
sites-done-no-reservation = Для этого кода здесь нет брони.
sites-done-unknown-reference = Код не распознан: проверьте символы.
sites-walk-in-intro = Для этого кода здесь нет брони. Заселить без брони:
sites-walk-in-full = Свободных мест нет.
sites-walk-in-pool = { $pool }: свободно { $free }
sites-walk-in-back = Назад к месту размещения
sites-done-walk-in-refused = Не удалось заселить сюда: мест не хватает или помещение не подходит этой семье. Выберите другое.

## Распределение

dispatch-title = Распределение по местам
dispatch-propose = Предложить размещение
dispatch-all-cities = Все города
dispatch-max-travel = Не дальше, км
dispatch-propose-submit = Предложить
dispatch-waiting = Ожидают места
dispatch-nobody-waiting = Никто не ожидает места.
dispatch-priority = Приоритет
dispatch-waiting-days = Дней ожидания
dispatch-composition = { $persons }: муж. { $men }, жен. { $women }, детей { $children }
dispatch-batch-title = Предложения по размещению
dispatch-proposals = Предложения
dispatch-no-proposals = Разместить никого не удалось.
dispatch-reason = Почему
dispatch-decision = Решение
dispatch-accept = Принять
dispatch-reject = Отклонить
dispatch-later = Позже
dispatch-reject-reason = Причина отказа
dispatch-override = Другое помещение
dispatch-as-proposed = как предложено
dispatch-decide-submit = Применить решения
dispatch-unplaced = Не размещены
dispatch-all-placed = Размещены все.
dispatch-unknown-household = домохозяйство
dispatch-back = К списку ожидания
dispatch-back-to-batch = К предложениям
dispatch-results = Результат
dispatch-all-done = Решения применены.
dispatch-failed = { $count ->
    [one] { $count } решение не удалось применить.
    [few] { $count } решения не удалось применить.
   *[other] { $count } решений не удалось применить.
}
dispatch-in-city = в своём городе
dispatch-travel = { $km } км от своего города
dispatch-travel-from-here = { $km } км от того места, где они сейчас
dispatch-better-unavailable = { $count ->
    [one] { $count } более удобный вариант занят
    [few] { $count } более удобных варианта заняты
   *[other] { $count } более удобных вариантов заняты
}
dispatch-decided-accepted = принято
dispatch-decided-rejected = отклонено
dispatch-decided-failed = не удалось
dispatch-outcome-accepted = принято, места забронированы
dispatch-outcome-rejected = отклонено
dispatch-outcome-failed = не удалось
dispatch-failure-already-decided = решение уже принято
dispatch-failure-not-found = не найдено
dispatch-failure-invalid = данные неверны
dispatch-failure-not-in-proposal = не было в предложении
dispatch-failure-household-changed = состав семьи изменился
dispatch-failure-site-closed = место закрыто
dispatch-failure-no-occupants = некого размещать
dispatch-failure-no-capacity = мест уже нет
dispatch-failure-no-room-free = нет свободной комнаты
dispatch-failure-room-too-small = комната мала
dispatch-failure-no-step-free-bed = нет места без ступеней
dispatch-failure-child-in-male-dorm = ребёнок в мужском общежитии
dispatch-failure-children-not-allowed = дети не допускаются
dispatch-failure-wrong-sex-for-pool = помещение для другого пола
dispatch-failure-transitory-needs-one-night = транзитные места только на одну ночь
dispatch-failure-already-housed = уже размещены
dispatch-failure-invalid-transition = действие невозможно в этом состоянии
arrangement-family-room = отдельная семейная комната
arrangement-mixed-dorm = вместе в общем зале
arrangement-single-sex-dorm = в общежитии своего пола
arrangement-separated-by-sex = мужчины и женщины раздельно (с согласия)
arrangement-family-rooms = несколько семейных комнат одного места (с согласия)
choice-least-contested-beds = места, которые меньше всего нужны другим
choice-leftover-beds = оставшиеся места
choice-first-come-first-served = первое свободное место
unplaced-no-site-in-reach = нет места в городе и в допустимом радиусе
unplaced-stay-too-long = места не принимают на нужный срок
unplaced-children-not-allowed = места не принимают детей
unplaced-sex-separation-refused = есть только раздельные места, а семья не согласна разделиться
unplaced-child-without-adult = дети без взрослого своей семьи: ребёнка не размещают одного
unplaced-no-family-room-large-enough = нет достаточно большой семейной комнаты
unplaced-no-suitable-pool = нет подходящего помещения
unplaced-no-step-free-bed = не хватает мест без ступеней
unplaced-no-pool-large-enough = нигде нет столько мест сразу
unplaced-capacity-taken-by-higher-priority = места отданы тем, кому нужнее

## Дубликаты

duplicates-title = Возможные дубликаты
duplicates-filter = Показать
duplicates-status-pending = ждут решения
duplicates-status-same = один человек
duplicates-status-different = разные люди
duplicates-none = Пар нет.
duplicates-first = Первая запись
duplicates-second = Вторая запись
duplicates-probability = Совпадение
duplicates-pair = Сравнение записей
duplicates-evidence = На чём основано
duplicates-field = Поле
duplicates-comparison = Сравнение
duplicates-weight = Вес
duplicates-same = Это один человек
duplicates-different = Это разные люди
duplicates-undo = Отменить решение
duplicates-back = К списку

## Сводка

dashboard-title = Сводка
dashboard-as-of = Данные на
dashboard-freshness = Новые регистрации, размещения и выдачи учитываются сразу, прочие изменения — при следующем обновлении; койки — в реальном времени.
dashboard-persons = человек зарегистрировано
dashboard-arrived-days = { $count ->
    [one] прибыло за { $count } день
    [few] прибыло за { $count } дня
   *[other] прибыло за { $count } дней
}
dashboard-waiting = { $count ->
    [one] ждут места (в { $count } домохозяйстве)
   *[other] ждут места (в { $count } домохозяйствах)
}
dashboard-occupied = мест занято
dashboard-free = свободных мест
dashboard-arrivals = Прибытия по дням и пунктам пропуска
dashboard-crossing-unknown = пункт не указан
dashboard-as-table = Таблицей
dashboard-waiting-vs-free = Ждут места и свободные места по городам
dashboard-waiting-people = ждут места
dashboard-no-cities = Пока нет данных.
dashboard-beds-by-city = Места по городам

## Выдача

nav-distribute = Выдача
distribute-title = Выдача помощи
distribute-point = Пункт выдачи
distribute-unknown-household = Домохозяйство с таким кодом не найдено.
distribute-no-points = У вашей организации нет пунктов выдачи.
distribute-open = Открыть
distribute-item = Что
distribute-entitled = Положено сейчас
distribute-quantity = Выдать
distribute-unlimited = без ограничений
distribute-remaining = можно { $remaining } из { $allowed }
distribute-again-on = снова можно с
distribute-override-reason = Причина выдачи сверх нормы
distribute-override-hint = Нужна, только если выдаёте больше положенного; попадает в журнал.
distribute-submit = Записать выдачу
distribute-fill = Всё положенное
distribute-plus-one = Ещё один: { $item }
distribute-over-item = { $item }: выдаёте { $asked }, положено ещё { $remaining }
distribute-recent = Что получено за последнее время
distribute-nothing-yet = Пока ничего не получено.
distribute-partner = в партнёрской организации
distribute-other-household = в составе другого домохозяйства
distribute-done = Выдача записана.
distribute-give = Выдать помощь
distribute-reason-not-in-group = норма для другой группы населения
distribute-reason-condition = условие нормы не выполнено
distribute-reason-received = уже получено
distribute-reason-received-elsewhere = получено в другом домохозяйстве
field-error-override-reason-required = Это больше положенного: укажите причину.
field-error-stock-invalid-value = На пункте не хватает этого товара.
field-error-lines-invalid-value = Количество — целое число.
field-error-submission-duplicate = Эта выдача уже записана. Проверьте список полученного ниже.

## Импорт

reception-import-link = Импортировать список (CSV, XLSX)
reception-correcting = Исправление строки импорта: после регистрации она уйдёт из карантина.

# The offline outbox on the reception page.
outbox-title = Ожидают отправки
outbox-waiting = ждут:
outbox-sent = отправлены:
outbox-decide = нужно решение:
outbox-send = Отправить сейчас
outbox-saved = Сохранено на этом телефоне. Будет отправлено, когда появится связь.
outbox-offline = Нет связи: регистрации сохраняются на телефоне и отправятся позже.
outbox-offline-check = Нет связи: возможные дубликаты будут проверены при отправке.
outbox-no-key = Телефон ещё не может хранить регистрации: откройте эту страницу один раз при наличии связи.
outbox-sign-in = Войдите, чтобы отправить регистрации, сохранённые на телефоне.
outbox-sending = Отправка…
outbox-failed = Пока не отправлено: попробуем ещё раз.
outbox-held = нужно решение: возможно, уже зарегистрирован
outbox-invalid = есть ошибки, нужно исправить
outbox-review = Открыть
outbox-done = зарегистрировано
import-title = Импорт списка
import-intro = Загрузите таблицу, которую уже ведёте: CSV с любым разделителем (UTF-8 или Windows-1251) или XLSX. Столбцы определятся по заголовкам; каждая строка проверяется, как при регистрации; строки с ошибками попадут в карантин с причинами.
import-file = Файл
import-file-hint = До 50 МБ. Один и тот же файл дважды ничего не создаёт.
import-default-country = Страна для строк без страны
import-default-city = Город для строк без города
import-upload = Загрузить и проверить
import-quarantine = Карантин импорта
import-quarantine-empty = Строк, ожидающих исправления, нет.
import-line = Строка
import-reasons = Причины
import-correct = Исправить
import-rows-read = строк прочитано
import-households-created = домохозяйств создано
import-persons-created = человек создано
import-attached = уже были импортированы
import-sent-to-review = на проверку дубликатов
import-quarantined = строк в карантине
import-unreadable = Файл не удалось прочитать.
import-refused-rows = Файл не принят: в списке больше { $max } строк. Разделите его на части.
import-refused-columns = Файл не принят: значение стоит дальше столбца { $max }.
import-refused-cells = Файл не принят: в списке больше { $max } заполненных ячеек.
import-refused-text = Файл не принят: в ячейках больше { $max } байт текста.
import-refused-cell = Файл не принят: в ячейке больше { $max } символов.
import-refused-line = Файл не принят: строка длиннее { $max } байт.
import-refused-unpacked = Файл не принят: книга распаковывается больше чем в { $max } байт или больше, чем указано в ней самой.
import-refused-parts = Файл не принят: в книге больше { $max } частей.
import-refused-dimensions = Файл не принят: лист объявляет размер больше допустимого (больше { $max } строк или слишком много столбцов).
import-refused-encoding = Файл не принят: в строке { $line } байты, которые не являются текстом. Похоже, файл в UTF-8 повреждён при передаче; сохраните его заново в UTF-8 или Windows-1251.
import-refused-xml = Файл не принят: в книге есть конструкции XML, которых программы для таблиц не пишут (DTD или ссылки на сущности).
import-refused-time = Файл не принят: чтение заняло больше { $max } с.
import-refused-empty = Файл не принят: в нём нет строки заголовков.
import-refused-no-name-column = Файл не принят: ни один столбец не содержит имён. Нужен столбец «Фамилия» или «ФИО».
import-refused-limit-hint = Это ограничение сервера на один импорт; разделите список на несколько файлов или попросите администратора изменить ограничение.
import-busy = Сейчас обрабатываются другие списки. Попробуйте через минуту.
import-more-problems = { $count ->
    [one] и ещё { $count } ошибка
    [few] и ещё { $count } ошибки
   *[other] и ещё { $count } ошибок
}
import-again = Загрузить другой файл
import-preview = Проверка перед импортом
import-columns = Столбцы
import-left-out = не используется
import-would = Что будет сделано
import-problems = Ошибки по строкам
import-confirm = Импортировать
import-done = Импорт выполнен
import-field-household = домохозяйство (группировка)
import-field-full-name = ФИО
import-field-surname = фамилия
import-field-given-name = имя
import-field-patronymic = отчество
import-field-sex = пол
import-field-birth-date = дата рождения
import-field-citizenship = гражданство
import-field-relationship = родство
import-field-iin = ИИН
import-field-pin = ПИН
import-field-passport = паспорт
import-field-phone = телефон
import-field-country = страна
import-field-region = область
import-field-city = город
import-field-arrival-date = дата прибытия
import-field-crossing-point = пункт пропуска
import-field-group = группа населения
import-field-notes = заметки
import-field-ignore = не используется
dispatch-filter-submit = Показать
dispatch-pages = Страницы списка ожидания
dispatch-page-previous = ← Срочнее
dispatch-page-next = Дальше →
dispatch-page-of = стр. { $page } из { $pages }
dispatch-find-sites = Другие места: название или город
dispatch-find-submit = Найти
dispatch-found-pools = { $count ->
    [0] Ничего не найдено
    [one] Найдено { $count } помещение: оно в списке «Другое помещение» каждой строки
    [few] Найдено { $count } помещения: они в списке «Другое помещение» каждой строки
   *[other] Найдено { $count } помещений: они в списке «Другое помещение» каждой строки
}
dispatch-nearby-pools = Рядом, есть места
dispatch-found-pools-group = Найдено поиском
dispatch-pool-free = свободно { $free }
dispatch-more-unplaced = { $count ->
    [one] и ещё { $count } домохозяйство
    [few] и ещё { $count } домохозяйства
   *[other] и ещё { $count } домохозяйств
}
dispatch-accept-rest = Принять и остальные предложения ({ $count })

## Работа со случаями

nav-cases = Случаи
cases-title = Работа со случаями
cases-list = Случаи
cases-none = Нет.
cases-open-hint = Новый случай открывается со страницы домохозяйства.
cases-open-case = Открыть случай
cases-open-actions = { $count ->
    [one] { $count } действие в плане
    [few] { $count } действия в плане
   *[other] { $count } действий в плане
}
cases-received = Полученные направления
cases-overdue-sent = Направления без ответа в срок
cases-legal-stay = Сроки пребывания и регистрации (14 дней)
cases-legal-stay-hint = Правила сроков — примеры; сверяйте с действующим законом.
cases-days-left = Осталось дней
cases-next-deadline = Ближайший срок
cases-overstayed = срок пребывания превышен
cases-registration-overdue = регистрация просрочена
cases-case = Случай
cases-assessment = Оценка уязвимости
cases-severity = Степень
cases-add = Добавить
cases-plan = План действий
cases-action = Действие
cases-due = Срок
cases-mark-done = Выполнено
cases-appointments = Встречи
cases-date = Дата
cases-purpose = Цель
cases-place = Место
cases-notes = Заметки по случаю
cases-notes-hint = Видны только социальным работникам вашей организации.
cases-note = Новая заметка
cases-referrals = Направления
cases-service = Услуга
cases-to = Кому
cases-from = От кого
cases-sent = Отправлено
cases-overdue = нет ответа в срок
cases-consent-by = Согласие дал(а)
cases-consent-fields = Что разрешено передать
cases-send-referral = Отправить направление
cases-reason = Причина
cases-outcome = Итог
cases-referral = Направление
cases-shared = Переданные сведения
cases-reason-or-outcome = Причина отказа или итог
cases-accept = Принять
cases-decline = Отказать
cases-in-progress = В работе
cases-close = Закрыть
cases-back = К случаям
enum-case-open = открыт
enum-case-on-hold = приостановлен
enum-case-closed = закрыт
enum-severity-low = низкая
enum-severity-medium = средняя
enum-severity-high = высокая
enum-severity-critical = критическая
enum-action-planned = запланировано
enum-action-done = выполнено
enum-action-cancelled = отменено
enum-service-legal-aid = юридическая помощь
enum-service-medical = медицинская помощь
enum-service-psychosocial = психосоциальная поддержка
enum-service-shelter = жильё
enum-service-onward-travel = дальнейший путь
enum-service-work-programme = программа трудоустройства
enum-service-resettlement = переселение в третью страну
enum-referral-sent = отправлено
enum-referral-accepted = принято
enum-referral-declined = отказано
enum-referral-in-progress = в работе
enum-referral-closed = закрыто
enum-shareable-surname = фамилия
enum-shareable-given-name = имя
enum-shareable-patronymic = отчество
enum-shareable-sex = пол
enum-shareable-birth-date = дата рождения
enum-shareable-citizenship = гражданство
enum-shareable-documents = документы
enum-shareable-vulnerabilities = уязвимость
enum-shareable-phone = телефон
enum-shareable-languages = языки
enum-shareable-location = местонахождение
enum-shareable-arrival-date = дата прибытия
enum-shareable-needs = потребности
enum-shareable-household-size = размер семьи
nav-resettlement = Переселение
resettle-title = Программы переселения
resettle-none = Программ пока нет.
resettle-new = Новая программа
resettle-field-name = Название
resettle-field-country = Принимающая страна
resettle-field-country-hint = Двухбуквенный код, например DE
resettle-field-quota = Мест (человек)
resettle-criteria = Кого принимает
resettle-criteria-hint = Оставьте условие пустым, чтобы принимать всех; все заданные условия должны выполняться.
resettle-field-citizenships = Гражданство главы домохозяйства
resettle-field-citizenships-hint = Двухбуквенные коды через запятую, например RU, BY
resettle-field-groups = Группы населения
resettle-field-max-size = Не больше стольких человек в домохозяйстве
resettle-field-vulnerabilities = Хотя бы один член семьи с одной из этих уязвимостей
resettle-field-conscription = Риск призыва
resettle-field-conscription-hint = Хотя бы один мужчина этого возраста (с гражданством из списка выше, если он задан).
resettle-field-age-from = Возраст от
resettle-field-age-to = Возраст до
resettle-create = Создать программу
resettle-quota = квота (человек)
resettle-used = занято в квоте
resettle-remaining = осталось мест
resettle-propose = Предложить семьи по приоритету
resettle-entries = Семьи в программе
enum-pipeline-proposed = предложены
enum-pipeline-submitted = документы поданы
enum-pipeline-accepted = приняты
enum-pipeline-rejected = отказ
enum-pipeline-departed = выехали
enum-pipeline-withdrawn = отозваны
field-error-place-id-invalid-value = Не найдено в списке мест: введите название города, села или пункта пропуска, на любом языке.
field-error-coordinates-invalid-value = Координаты: широта в пределах ±90, долгота в пределах ±180.
linkage-level-day-and-month-swapped = день и месяц переставлены
linkage-level-different = различается
linkage-level-missing = нет данных
linkage-level-one-edit-apart = отличается одним знаком
linkage-level-one-of-day-month-differs = отличается день или месяц
linkage-level-same-last-7-digits = совпадают последние 7 цифр
linkage-level-same-locality-or-postcode = тот же населённый пункт или индекс
linkage-level-same-name-group-or-one-typo-apart = то же имя или одна опечатка
linkage-level-same-region-only = совпадает только область
linkage-level-same-street-address-and-area = тот же адрес
linkage-level-same = совпадает
linkage-level-similar-street-or-same-locality-and-postcode = похожая улица или тот же пункт и индекс
linkage-level-similar = похоже
linkage-level-very-similar = очень похоже
linkage-level-year-off-by-one = год отличается на один

public-stats-title = Статистика: люди и места
public-stats-release = Выпуск от { $at }; цифры обновляются раз в несколько часов, не в реальном времени.
public-stats-suppressed = Ячейки меньше { $threshold } человек скрыты (—), чтобы никого нельзя было узнать.
public-stats-csv = Скачать CSV
public-stats-json = Данные в JSON
public-stats-beds = Места по городам
public-stats-by-city = Люди по городу и группе
public-stats-by-age = Люди по возрасту и полу
public-stats-city = Город
public-stats-age = Возраст
public-stats-capacity = Всего мест
public-stats-in-use = Занято
public-stats-free = Свободно
public-stats-total = Всего
public-stats-unconfirmed = место не уточнено

## Unconfirmed places
nav-places = Места
places-title = Неподтверждённые места
places-intro = Эти названия городов в записях вашей организации не найдены в списке мест. Укажите, какое место имеется в виду: все записи с этим названием (и новые) будут отнесены к нему, и в сводках это будет один город.
places-none = Все места подтверждены.
places-name = Как записано
places-records = Записей
places-map-to = Это место
places-map = Сопоставить
places-not-found = Такого населённого пункта этой страны нет в списке мест. Выберите из подсказок.
places-mapped = { $count ->
    [one] Сопоставлена { $count } запись.
    [few] Сопоставлены { $count } записи.
   *[other] Сопоставлено { $count } записей.
}
places-unconfirmed = не подтверждено

## Self pre-registration (public) and opening it at the desk
pre-register-title = Предварительная регистрация
pre-register-intro = Пока вы ждёте в очереди, впишите свою семью здесь. Вы получите короткий код: покажите его у стойки регистрации, и вам не придётся диктовать всё заново. Данные увидят только регистраторы; через 72 часа неподтверждённая запись удаляется.
pre-register-contact = Где вы и как с вами связаться
pre-register-notes = Что ещё нужно знать регистратору (необязательно)
pre-register-consent = Отправляя форму, вы соглашаетесь, что регистраторы увидят эти данные. Документы проверят у стойки.
pre-register-submit = Получить код
pre-register-honeypot = Не заполняйте это поле
pre-register-done = Ваш код предварительной регистрации
pre-register-done-hint = Сделайте снимок экрана или запишите код и покажите его у стойки регистрации. Код действует { $count ->
    [one] { $count } час
    [few] { $count } часа
   *[other] { $count } часов
}.
pre-register-desk-code = Код дня со стойки регистрации
pre-register-desk-code-hint = Шесть цифр: их показывают у стойки, код меняется каждый день.
pre-registrations-desk-code = Код дня для очереди (покажите его людям в очереди):
field-error-desk-code-invalid-value = Это не код дня: спросите у стойки регистрации.
pre-register-limited = Слишком много заявок с этого адреса. Попробуйте позже или подойдите к стойке регистрации.
pre-registrations-title = Открыть предварительную регистрацию
pre-registrations-code = Код
pre-registrations-code-hint = Введите код или отсканируйте QR-код с телефона семьи.
pre-registrations-open = Открыть
pre-registrations-not-found = Предварительная регистрация с таким кодом не найдена (или её срок истёк).
pre-registrations-pending = { $count ->
    [0] Предварительных регистраций нет
    [one] { $count } предварительная регистрация ждёт
    [few] { $count } предварительные регистрации ждут
   *[other] { $count } предварительных регистраций ждут
}
pre-registrations-purged = { $count ->
    [one] Удалена { $count } предварительная регистрация.
    [few] Удалены { $count } предварительные регистрации.
   *[other] Удалено { $count } предварительных регистраций.
}
pre-registrations-members = Человек
reception-pre-registered = Предварительная регистрация: проверьте документы и данные, затем сохраните.
reception-pre-registrations-link = Открыть предварительную регистрацию по коду
nav-host-offers = Предложения жилья
offer-title = Предложить жильё
offer-intro = Если у вас есть свободная кровать, комната или квартира для людей, которым негде ночевать, опишите её здесь. Координатор позвонит вам и проверит предложение, прежде чем кого-то направить. Адрес и телефон увидят только координаторы и диспетчеры организации.
offer-where = Где
offer-city = Населённый пункт
offer-city-hint = Город или село из списка, например «Уральск» или «Бишкек».
offer-address = Адрес
offer-what = Что вы предлагаете
offer-people = Сколько человек
offer-from = С какого дня (ДД.ММ.ГГГГ)
offer-until = До какого дня (необязательно)
offer-dates-hint = Без даты окончания — пока договоритесь с координатором.
offer-families = Семью
offer-women-only = Только женщин (с детьми)
offer-children = Можно с детьми
offer-step-free = Без ступенек (для коляски)
offer-rent = Плата
enum-rent-free = бесплатно
enum-rent-rent = за плату
offer-contact = Как с вами связаться
offer-contact-name = Ваше имя
offer-notes = Что ещё важно знать (необязательно)
offer-consent = Отправляя форму, вы соглашаетесь, что координаторы и диспетчеры организации увидят эти данные и позвонят вам.
offer-submit = Предложить
offer-done = Спасибо! Координатор позвонит вам, чтобы проверить предложение.
offer-withdraw-hint = Сохраните эту ссылку: по ней вы сможете отозвать предложение. Она показывается один раз.
offer-withdraw-link = Ссылка, чтобы отозвать предложение
offer-limited = Слишком много предложений с этого адреса или для этого места. Попробуйте позже.
offer-withdraw-title = Отозвать предложение
offer-withdraw-unknown = Ссылка недействительна или предложение уже отозвано.
offer-withdraw-ask = Отозвать предложение жилья? Новых людей к вам направлять не будут.
offer-withdraw-submit = Отозвать
offer-withdrawn = Предложение отозвано. Спасибо за помощь.
host-offers-title = Предложения жилья
host-offers-intro = Предложения местных жителей с публичной страницы. Позвоните или побывайте на месте, прежде чем подтвердить: подтверждённое становится местом размещения (частное жильё).
host-offers-purged = { $count ->
    [one] Удалено { $count } предложение.
    [few] Удалено { $count } предложения.
   *[other] Удалено { $count } предложений.
}
enum-host-offer-status-pending = ждёт проверки
enum-host-offer-status-verified = подтверждено
enum-host-offer-status-rejected = отклонено
enum-host-offer-status-withdrawn = отозвано
host-offers-none = Предложений нет.
host-offers-choose = Выбрать
host-offers-dates = Сроки
host-offers-accepts = Кого примут
host-offers-purge = Удалить выбранные (спам)
host-offer-title = Предложение жилья
host-offers-received = Получено
host-offers-decided = Решение принято
host-offers-note = Заметка о проверке
host-offers-note-hint = Как проверено: звонок, визит. Видят только координаторы и диспетчеры.
host-offers-site = Место размещения
host-offers-open-site = Открыть место
host-offers-verify = Подтвердить: проверено
host-offers-reject = Отклонить
poster-title = Плакат
poster-link = Плакат с QR-кодом для предварительной регистрации
poster-print-hint = Напечатайте эту страницу на листе A4 и повесьте там, где ждут люди.
poster-page-off = Страница предварительной регистрации на этом сервере выключена: QR-код никуда не приведёт.
poster-call = Ждёте в очереди? Отсканируйте код и впишите свою семью заранее.
field-error-location-invalid-value = Выберите населённый пункт из списка.
