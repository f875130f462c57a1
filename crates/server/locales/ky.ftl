# Shanyrak — кыргыз тилиндеги интерфейс.
# Ачкычтар ru.ftl файлындагыдай; жок ачкыч орусча көрсөтүлөт.

## Жалпы

common-required = милдеттүү
common-yes = ооба
common-no = жок
common-save = Сактоо
common-cancel = Жокко чыгаруу
common-actions = Аракеттер
common-households = { $count ->
    [one] { $count } үй чарбасы
   *[other] { $count } үй чарбасы
}
common-people = { $count ->
    [one] { $count } адам
   *[other] { $count } адам
}

## Навигация жана тил

nav-label = Бөлүмдөр
nav-skip = Мазмунга өтүү
nav-reception = Кабыл алуу
nav-find = Издөө
nav-sites = Жайгаштыруу жайлары
nav-dispatch = Орун бөлүштүрүү
nav-duplicates = Кайталанган жазуулар
nav-dashboard = Жыйынтык
nav-logout = Чыгуу
nav-signed-in-as = Сиз кирдиңиз:
enum-role-admin = администратор
enum-role-registrar = каттоочу
enum-role-site-manager = жайгаштыруу жайынын башчысы
enum-role-dispatcher = диспетчер
enum-role-distributor = таратуучу
enum-role-caseworker = социалдык кызматкер
enum-role-analyst = аналитик
enum-role-auditor = аудитор
lang-label = Тил
lang-apply = Тандоо

## Кирүү

login-title = Кирүү
login-email = Эл. почта
login-password = Сырсөз
login-submit = Кирүү
login-failed = Эл. почта же сырсөз туура эмес.
login-locked = Ийгиликсиз аракеттер өтө көп. Эсептик жазуу убактылуу бөгөттөлдү, кийинчерээк кайра аракет кылыңыз.
login-busy = Сервер азыр көп кирүүнү текшерүүдө. Бир нече секунд күтүп, кайра аракет кылыңыз.

## Каталар

error-title = Аткарылган жок
error-back = Башкы бетке
error-csrf = Форма эскирип калган же башка беттен жөнөтүлгөн. Бетти кайра ачып, аракетти кайталаңыз.
error-unauthorized = Системага кирүү керек.
error-forbidden = Бул аракет Сиздин ролуңузга жеткиликсиз.
error-not-found = Жазуу табылган жок.
error-invalid = Маалыматтар кабыл алынган жок: талааларды текшериңиз.
error-conflict = Ушул убакта жазууну башка бирөө өзгөрттү. Аны кайра ачыңыз.
error-admission = Бул орундарды ээлөөгө болбойт (орун жок же жайдын эрежелери уруксат бербейт).
error-too-many = Аракеттер өтө көп. Бир аз күтө туруңуз.
error-busy = Сервер оор иш менен алек (мисалы, жайгаштырууну эсептөө). Бир мүнөттөн кийин кайталаңыз же бир шаарды алыңыз.
error-starting = Сервер жаңы эле иштей баштады жана кайталанууну текшерүү үчүн реестрди дагы эле жүктөп жатат. Эч нерсе сакталган жок. Бир нече секунддан кийин кайталаңыз.
error-internal = Ички ката. Маалыматтар жоголгон жок; кайра аракет кылыңыз.

## Талаалар

field-name = Аты-жөнү
field-surname = Фамилиясы
field-given-name = Аты
field-patronymic = Атасынын аты
field-sex = Жынысы
field-birth-date = Туулган күнү
field-birth-date-hint = күн.ай.жыл, мисалы 27.09.1985; жылы гана белгилүү болсо — 1985
field-birth-date-estimated = Күнү болжолдуу
field-birth-date-estimated-short = болжол менен
field-relationship = Үй-бүлө башчысына ким болот
field-citizenship = Жарандыгы
field-document-type = Документ
field-document-number = Документтин номери
field-document-number-hint = Форматы документке жараша болот; боштуктарды жана дефистерди жазбасаңыз да болот.
field-vulnerabilities = Аялуулук
field-group = Калк тобу
field-arrival-date = Келген күнү
field-crossing-point = Өткөрүү пункту
field-country = Өлкө
field-region = Облус
field-city = Шаар / калктуу конуш
field-current-place = Азыр кайда, эгер шаарда боло элек болсо (шаар же өткөрүү пункту)
field-phone = Телефон
field-languages = Тилдер
field-needs = Муктаждыктар
field-accepts-sex-separation = Эркектер менен аялдар өзүнчө бөлмөлөрдө укташына макул
field-accepts-several-rooms = Чоң үй-бүлө бир жердеги бир нече бөлмөгө жайгашууга макул
field-legal-basis = Укуктук негиз
field-information-given = Адамга эмне жазылары, эмне үчүн жазылары жана аны ким көрөрү түшүндүрүлдү
field-information-given-hint = Негиз катары макулдук алынса, милдеттүү.
field-notes = Эскертмелер
field-notes-hint = Жардам көрсөтүүгө керектүү маалыматты гана жазыңыз. Бул жерге диагноздорду жана башка адамдардын маалыматтарын жазбаңыз.
field-reference = Код
field-status = Абалы
field-site = Жайгаштыруу жайы

field-error-required = Бул талааны толтуруңуз.
field-error-empty = Талаа бош болбошу керек.
field-error-too-long = Өтө узун.
field-error-too-many = Маанилер өтө көп.
field-error-control-character = Уруксат берилбеген белгилер.
field-error-invalid-format = Формат туура эмес.
field-error-invalid-date = Күн таанылган жок: күн.ай.жыл түрүндө киргизиңиз (мисалы, 27.09.1985).
field-error-no-such-date = Календарда мындай күн жок: күндү жана айды текшериңиз.
field-error-date-in-future = Бул күн али келе элек.
field-error-date-implausible = Күн чындыкка окшобойт.
field-error-unknown-country = Белгисиз өлкө.
field-error-invalid-phone = Телефон номери таанылган жок.
field-error-invalid-document-number = Номер документтин форматына дал келбейт.
field-error-document-checksum = Номерде ката бар: текшерүү цифрасы дал келбейт.
field-error-document-birth-date-mismatch = Номердеги (ПИН же ИИН) туулган күн киргизилген күнгө дал келбейт.
field-error-document-sex-mismatch = Номердеги (ПИН же ИИН) жыныс киргизилгенге дал келбейт.
field-error-document-country-mismatch = Берген өлкө бул документке туура келбейт.
field-error-duplicate = Маани кайталанат.
field-error-no-head = Үй чарбасынын башчысын көрсөтүңүз.
field-error-several-heads = Үй чарбасынын башчысы бирөө гана болушу керек.
field-error-unknown-member = Мындай үй-бүлө мүчөсү жок.
field-error-read-only = Бул талааны өзгөртүүгө болбойт.
field-error-invalid-type = Маани туура эмес.
field-error-unknown-field = Белгисиз талаа.
field-error-invalid-value = Жараксыз маани.
field-error-information-given-invalid-value = Макулдук алуудан мурун адамга эмне жазыларын жана эмне үчүн экенин түшүндүрүү керек; муну белгилеңиз.

## Маанилер

enum-sex-female = аял
enum-sex-male = эркек
enum-sex-unknown = көрсөтүлгөн эмес
enum-group-arrival = чет өлкөдөн келгендер
enum-group-idp = ички жер которгондор
enum-group-returnee = кайтып келгендер
enum-group-host-community = кабыл алуучу жамаат
enum-need-shelter = баш калкалоочу жай
enum-need-food = тамак-аш
enum-need-medical = медициналык жардам
enum-need-legal = юридикалык жардам
enum-need-onward-travel = андан аркы жол
enum-need-other = башка
enum-relationship-head = башчы
enum-relationship-spouse = жубайы
enum-relationship-child = баласы
enum-relationship-parent = ата-энеси
enum-relationship-sibling = бир тууганы
enum-relationship-grandchild = небереси
enum-relationship-grandparent = чоң атасы / чоң энеси
enum-relationship-other-relative = башка тууганы
enum-relationship-non-relative = тууганы эмес
enum-vulnerability-child = бала
enum-vulnerability-unaccompanied-minor = коштоосуз жашы жете элек бала
enum-vulnerability-older-person = улгайган адам
enum-vulnerability-disability = майыптык
enum-vulnerability-medical = медициналык муктаждыктар
enum-vulnerability-pregnant = кош бойлуулук
enum-vulnerability-single-caregiver = балдары менен жалгыз
enum-vulnerability-protection-risk = коопсуздукка коркунуч
enum-legal-basis-consent = макулдук
enum-legal-basis-vital-interest = турмуштук маанилүү кызыкчылыктар
enum-legal-basis-public-interest = коомдук кызыкчылык
enum-status-active = активдүү
enum-status-moved-on = кетишти
enum-status-closed = жабык
enum-document-ru-internal-passport = РФ ички паспорту
enum-document-ru-international-passport = РФ чет өлкөлүк паспорту
enum-document-kz-id = Казакстандын күбөлүгү / паспорту (ИИН)
enum-document-kg-id = КР ID-картасы (ПИН)
enum-document-passport-other = башка паспорт
enum-document-birth-certificate = туулгандыгы тууралуу күбөлүк
enum-document-none = документ жок
enum-pool-male-dorm = эркектер жатаканасы
enum-pool-female-dorm = аялдар жатаканасы
enum-pool-family-room = үй-бүлөлүк бөлмөлөр
enum-pool-mixed = жалпы зал
enum-site-kind-sports-hall = спорт зал
enum-site-kind-mosque = мечит
enum-site-kind-cinema = кинотеатр
enum-site-kind-school = мектеп
enum-site-kind-dormitory = жатакана
enum-site-kind-hostel = хостел
enum-site-kind-hotel = мейманкана
enum-site-kind-private-accommodation = жеке турак жай
enum-site-kind-other = башка
enum-site-status-open = ачык
enum-site-status-full = толгон
enum-site-status-closed = жабык
enum-site-kind-group-collective = жалпы жай
enum-site-kind-group-commercial = хостел же мейманкана
enum-site-kind-group-private = жеке турак жай
enum-stay-reserved = брондолду
enum-stay-checked-in = жайгаштырылды
enum-stay-checked-out = чыгып кетишти
enum-stay-cancelled = жокко чыгарылды
enum-stay-expired = брондоонун мөөнөтү бүттү

country-ru = Россия
country-kz = Казакстан
country-kg = Кыргызстан
country-uz = Өзбекстан
country-tj = Тажикстан
country-by = Беларусь
country-ua = Украина
country-am = Армения
country-az = Азербайжан
country-ge = Грузия

linkage-field-surname = фамилиясы
linkage-field-given-name = аты
linkage-field-patronymic = атасынын аты
linkage-field-birth-date = туулган күнү
linkage-field-document = документ
linkage-field-phone = телефон
linkage-field-sex = жынысы
linkage-field-citizenship = жарандыгы
linkage-field-address = дареги

## Кабыл алуу

reception-title = Кабыл алуу: жаңы каттоо
reception-household = Үй чарбасы
reception-members = Үй-бүлө мүчөлөрү
reception-member-title = { $number }-адам
reception-add-member = Адам кошуу
reception-remove-member = Бул адамды алып салуу
reception-check = Кайталанган жазууларга текшерүү
reception-save = Каттоо
reception-more = Кошумча маалымат
reception-errors = { $count ->
    [one] { $count } катаны оңдоңуз.
   *[other] { $count } катаны оңдоңуз.
}
reception-no-duplicates = Окшош жазуулар табылган жок.
reception-already-saved = Бул форма мурда сакталган. Маалыматтарды текшерип, жаңы каттоо катары сактаңыз.
reception-duplicates-title = Мурда катталган болушу мүмкүн:
reception-duplicates-open = ачуу
reception-duplicates-partner = Өнөктөш уюмда окшош жазуу бар.
reception-duplicates-probability = дал келүү { $percent } %
reception-duplicates-agree = дал келет:
reception-duplicates-disagree = айырмаланат:
reception-duplicates-new = Бул башка адам — өзүнчө каттоо
reception-decide-duplicates = { $count ->
   *[other] { $count } адам мурда катталган болушу мүмкүн. Ар бирине белгилеңиз: бул ошол эле адамбы же башкасыбы — жана кайра сактаңыз.
}
reception-duplicates-decide = Тандаңыз: ошол эле адамбы же башка адамбы.

## Карточка

card-title = Үй чарбасынын карточкасы
card-registered = Катталды.
card-attached = { $count ->
    [one] { $count } адам мурунтан бар жазуу менен байланыштырылды.
   *[other] { $count } адам мурунтан бар жазуулар менен байланыштырылды.
}
card-qr = Үй чарбасынын коду жазылган QR-код
card-keep = Бул кодду сактап коюңуз: жайгаштыруу пунктунда жана жардам берилгенде Сизди ушул код аркылуу табышат.
card-open = Жазууну ачуу
card-next = Кийинки каттоо

## Издөө

find-title = Издөө
find-label = Аты, документтин номери, телефон же код
find-hint = Атын кириллица же латын тамгалары менен, каалаган тартипте жазсаңыз болот.
find-submit = Табуу
find-results = { $count ->
    [one] { $count } адам табылды
   *[other] { $count } адам табылды
}
find-none = Эч ким табылган жок. Башкача жазып көрүңүз же документтин номерин киргизиңиз.
find-invalid = 1-ден 200-гө чейин белги киргизиңиз.

## Үй чарбасы

household-title = Үй чарбасы
household-card = Карточка жана QR-код
household-edit = Өзгөртүү
household-save = Өзгөртүүлөрдү сактоо
household-registered = Катталган
household-stays = Жайгаштыруу
household-no-stays = Жайгаштыруу болгон эмес.
household-stay-from = Качантан
household-stay-to = Качанга чейин
household-reserved-until = брондоо мөөнөтү:
household-audit = Өзгөртүүлөрдүн тарыхы
household-audit-when = Качан
household-audit-who = Ким
household-audit-what = Эмне
rights-column = Алардын маалыматтары
rights-data-link = Бизде эмне сакталат
rights-erase-link = Өчүрүү…
rights-back = Үй чарбасына кайтуу
rights-data-title = Бул адам тууралуу бизде эмне сакталат
rights-data-intro = Адам тууралуу жазылгандардын баары, датасы
rights-data-download = Берилүүчү файлды жүктөө (JSON)
rights-data-reads = Жазууну ким ачты
rights-data-purpose = Максаты
rights-data-changes = Жазуунун өзгөрүүлөрү
rights-data-stays = Жайгаштыруу пункттарында туруу
rights-data-received = Алынган жардам
rights-data-cases = Иштер
rights-data-cases-withheld = (көрсөтүлгөн жок: { $count }, социалдык кызматкерлер үчүн гана)
rights-data-referrals = Жолдомолор
rights-data-agreements = Уюмдун маалымат алмашуу келишимдери
rights-erase-title = Бул адамдын маалыматтарын өчүрүү
rights-erase-warning = Өчүрүүнү жокко чыгарууга болбойт. Аты-жөнү, документтер, туулган күнү жана айы, аялуулуктар, иш жазуулары жана өзгөрүүлөр тарыхындагы көчүрмөлөр өчүрүлөт; адам эсепте жашыруун гана калат. Муну адамдын өз өтүнүчү боюнча гана жасаңыз.
rights-erase-reason = Себеби
rights-erase-reason-hint = Маалыматтар өчүрүлгөндөн кийин аудит журналында сакталат: адамдын атын атабаңыз. Эң көп 500 белги.
rights-erase-confirm = Биротоло өчүрүү
rights-erased-title = Маалыматтар өчүрүлдү
rights-erased-done = Адамдын маалыматтары өчүрүлдү. Эсепте ал жашыруун калат.
rights-erased-audit = Өзгөрүүлөр тарыхынын өчүрүлгөн жазуулары
rights-erased-review = Кайталанууну текшерүүнүн өчүрүлгөн жуптары
rights-erased-imports = Импорттун өчүрүлгөн саптары жана файлдары
rights-erased-household = Үй чарбасы жашырылды (башка мүчөсү жок)
household-changed-meanwhile = Сиз түзөтүп жатканда жазууну башка бирөө өзгөрттү. Аны кайра ачып, өзгөртүүлөрдү дагы бир жолу киргизиңиз.

## Жайгаштыруу жайлары

sites-title = Жайгаштыруу жайлары
sites-none = Азырынча жайлар жок.
sites-cities = Шаарлар
sites-choose-city = Жайгаштыруу пункттарын көрүү үчүн шаарды тандаңыз.
sites-time-zone = Бул жердеги убакыт { $zone } алкагы боюнча (азыр { $now }).
sites-count = { $count } пункт
sites-no-pools = Төшөк орун жок.
sites-others = Башка жайгаштыруу жайлары
sites-others-hint = Аталыштарын жана даректерин адамдарды ошол жерге жайгаштыргандар гана көрөт.
sites-kind-group = Түрү
sites-free-beds = Бош орундар
sites-pool-kind = Бөлмө
sites-occupancy = Ээленгени
sites-occupied = ээленген
sites-reserved = брондолгон
sites-free = бош
sites-bar-label = { $capacity } орун: ээленген { $occupied }, брондолгон { $reserved }, бош { $free }
sites-room-size = { $count ->
    [one] { $count } орун
   *[other] { $count } орун
}
sites-check-in = Жайгаштыруу
sites-reference = Үй чарбасынын коду
sites-reference-hint = Карточкадан; дефиссиз, кириллица же латын тамгалары менен жазсаңыз болот.
sites-check-in-submit = Жайгаштыруу
sites-scan = QR сканерлөө
sites-beds = Төшөк орундар
sites-edit-beds = Орундарды өзгөртүү
sites-beds-total = Бардыгы
sites-beds-blocked = Колдонулбайт
sites-beds-step-free = Тепкичсиз
sites-beds-transitory = Транзиттик
sites-residents = Жашап жаткандар жана күтүлгөндөр
sites-no-residents = Эч ким жок.
sites-nights = Түн саны
sites-overdue = көптөн бери көрүнгөн жок
sites-max-nights = жашоо мөөнөтү бүттү
sites-seen = Белгилөө: ордунда
sites-check-out = Чыгаруу
sites-cancel = Брондоону жокко чыгаруу
sites-persons = Адам саны
sites-done-checked-in = Жайгаштырылды.
sites-done-checked-out = Чыгарылды.
sites-done-cancelled = Брондоо жокко чыгарылды.
sites-done-seen = Белгиленди.
sites-done-pool-saved = Орундар сакталды.
sites-done-no-reservation = Бул код боюнча бул жерде брондоо жок.
sites-done-unknown-reference = Код таанылган жок: белгилерди текшериңиз.
sites-walk-in-intro = Бул код үчүн бул жерде брондоо жок. Брондоосуз жайгаштыруу:
sites-walk-in-full = Бош орун жок.
sites-walk-in-pool = { $pool }: бош { $free }
sites-walk-in-back = Жайгаштыруу жайына кайтуу
sites-done-walk-in-refused = Бул жерге жайгаштыруу мүмкүн болгон жок: орун жетпейт же бөлмө бул үй-бүлөгө туура келбейт. Башкасын тандаңыз.

## Орун бөлүштүрүү

dispatch-title = Орундарга бөлүштүрүү
dispatch-propose = Жайгаштырууну сунуштоо
dispatch-all-cities = Бардык шаарлар
dispatch-max-travel = Эң алысы, км
dispatch-propose-submit = Сунуштоо
dispatch-waiting = Орун күтүп жаткандар
dispatch-nobody-waiting = Орун күтүп жаткан эч ким жок.
dispatch-priority = Артыкчылык
dispatch-waiting-days = Күтүү күндөрү
dispatch-composition = { $persons }: эркек { $men }, аял { $women }, бала { $children }
dispatch-batch-title = Жайгаштыруу сунуштары
dispatch-proposals = Сунуштар
dispatch-no-proposals = Эч кимди жайгаштыруу мүмкүн болгон жок.
dispatch-reason = Эмне үчүн
dispatch-decision = Чечим
dispatch-accept = Кабыл алуу
dispatch-reject = Четке кагуу
dispatch-later = Кийинчерээк
dispatch-reject-reason = Баш тартуунун себеби
dispatch-override = Башка бөлмө
dispatch-as-proposed = сунушталгандай
dispatch-decide-submit = Чечимдерди колдонуу
dispatch-unplaced = Жайгаштырылбагандар
dispatch-all-placed = Баары жайгаштырылды.
dispatch-unknown-household = үй чарбасы
dispatch-back = Күтүү тизмесине
dispatch-back-to-batch = Сунуштарга
dispatch-results = Жыйынтык
dispatch-all-done = Чечимдер колдонулду.
dispatch-failed = { $count ->
    [one] { $count } чечимди колдонуу мүмкүн болгон жок.
   *[other] { $count } чечимди колдонуу мүмкүн болгон жок.
}
dispatch-in-city = өз шаарында
dispatch-travel = өз шаарынан { $km } км
dispatch-travel-from-here = азыр турган жеринен { $km } км
dispatch-better-unavailable = { $count ->
    [one] { $count } ыңгайлуураак вариант бош эмес
   *[other] { $count } ыңгайлуураак вариант бош эмес
}
dispatch-decided-accepted = кабыл алынды
dispatch-decided-rejected = четке кагылды
dispatch-decided-failed = ишке ашкан жок
dispatch-outcome-accepted = кабыл алынды, орундар брондолду
dispatch-outcome-rejected = четке кагылды
dispatch-outcome-failed = ишке ашкан жок
dispatch-failure-already-decided = чечим мурда кабыл алынган
dispatch-failure-not-found = табылган жок
dispatch-failure-invalid = маалыматтар туура эмес
dispatch-failure-not-in-proposal = сунушта болгон эмес
dispatch-failure-household-changed = үй-бүлөнүн курамы өзгөрдү
dispatch-failure-site-closed = жай жабык
dispatch-failure-no-occupants = жайгаштыра турган эч ким жок
dispatch-failure-no-capacity = орун калган жок
dispatch-failure-no-room-free = бош бөлмө жок
dispatch-failure-room-too-small = бөлмө өтө кичинекей
dispatch-failure-no-step-free-bed = тепкичсиз орун жок
dispatch-failure-child-in-male-dorm = бала эркектер жатаканасында
dispatch-failure-children-not-allowed = балдарга уруксат жок
dispatch-failure-wrong-sex-for-pool = бөлмө башка жыныска арналган
dispatch-failure-transitory-needs-one-night = транзиттик орундар бир түнгө гана берилет
dispatch-failure-already-housed = мурда жайгаштырылган
dispatch-failure-invalid-transition = бул абалда аракет мүмкүн эмес
arrangement-family-room = өзүнчө үй-бүлөлүк бөлмө
arrangement-mixed-dorm = жалпы залда чогуу
arrangement-single-sex-dorm = өз жынысына арналган жатаканада
arrangement-separated-by-sex = эркектер менен аялдар өзүнчө (макулдугу менен)
arrangement-family-rooms = бир жайдын бир нече үй-бүлөлүк бөлмөсү (макулдугу менен)
choice-least-contested-beds = башкаларга эң аз керек болгон орундар
choice-leftover-beds = калган орундар
choice-first-come-first-served = биринчи бош орун
unplaced-no-site-in-reach = шаарда да, жол берилген радиуста да орун жок
unplaced-stay-too-long = жайлар керектүү мөөнөткө кабыл алышпайт
unplaced-children-not-allowed = жайлар балдарды кабыл алышпайт
unplaced-sex-separation-refused = өзүнчө орундар гана бар, ал эми үй-бүлө бөлүнүүгө макул эмес
unplaced-child-without-adult = үй-бүлөсүнүн чоң кишисиз балдар: бала жалгыз жайгаштырылбайт
unplaced-no-family-room-large-enough = жетиштүү чоң үй-бүлөлүк бөлмө жок
unplaced-no-suitable-pool = ылайыктуу бөлмө жок
unplaced-no-step-free-bed = тепкичсиз орундар жетишпейт
unplaced-no-pool-large-enough = эч бир жерде бир эле учурда ошончо орун жок
unplaced-capacity-taken-by-higher-priority = орундар көбүрөөк муктаж адамдарга берилди

## Кайталанган жазуулар

duplicates-title = Кайталанышы мүмкүн болгон жазуулар
duplicates-filter = Көрсөтүү
duplicates-status-pending = чечим күтүүдө
duplicates-status-same = бир адам
duplicates-status-different = ар башка адамдар
duplicates-none = Жуптар жок.
duplicates-first = Биринчи жазуу
duplicates-second = Экинчи жазуу
duplicates-probability = Дал келүү
duplicates-pair = Жазууларды салыштыруу
duplicates-evidence = Эмнеге негизделген
duplicates-field = Талаа
duplicates-comparison = Салыштыруу
duplicates-weight = Салмагы
duplicates-same = Бул бир адам
duplicates-different = Булар ар башка адамдар
duplicates-undo = Чечимди жокко чыгаруу
duplicates-back = Тизмеге

## Жыйынтык

dashboard-title = Жыйынтык
dashboard-as-of = Маалыматтар жаңыланды:
dashboard-freshness = Жаңы каттоолор, жайгаштыруулар жана берүүлөр дароо кошулат, башка өзгөрүүлөр кийинки жаңылоодо; керебеттер реалдуу убакытта.
dashboard-persons = адам катталган
dashboard-arrived-days = { $count ->
    [one] { $count } күндө келди
   *[other] { $count } күндө келди
}
dashboard-waiting = { $count ->
    [one] орун күтүүдө ({ $count } үй чарбасында)
   *[other] орун күтүүдө ({ $count } үй чарбасында)
}
dashboard-occupied = орун ээленген
dashboard-free = бош орун
dashboard-arrivals = Күндөр жана өткөрүү пункттары боюнча келгендер
dashboard-crossing-unknown = пункт көрсөтүлгөн эмес
dashboard-as-table = Таблица түрүндө
dashboard-waiting-vs-free = Шаарлар боюнча орун күткөндөр жана бош орундар
dashboard-waiting-people = орун күткөндөр
dashboard-no-cities = Азырынча маалымат жок.
dashboard-beds-by-city = Шаарлар боюнча орундар

## Жардам берүү

nav-distribute = Жардам берүү
distribute-title = Жардам берүү
distribute-point = Берүү пункту
distribute-unknown-household = Бул код менен үй чарбасы табылган жок.
distribute-no-points = Уюмуңузда берүү пункттары жок.
distribute-open = Ачуу
distribute-item = Эмне
distribute-entitled = Азыр тиешелүү
distribute-quantity = Берүү
distribute-unlimited = чектөөсүз
distribute-remaining = { $allowed } ичинен { $remaining } берүүгө болот
distribute-again-on = кайра берүүгө боло турган күн:
distribute-override-reason = Нормадан ашык берүүнүн себеби
distribute-override-hint = Тиешелүүдөн көп берсеңиз гана керек; журналга жазылат.
distribute-submit = Берүүнү жазуу
distribute-fill = Тийиштүүнүн баары
distribute-plus-one = Дагы бирөө: { $item }
distribute-over-item = { $item }: { $asked } берип жатасыз, дагы { $remaining } тийиштүү
distribute-recent = Акыркы убакта алганы
distribute-nothing-yet = Азырынча эч нерсе алына элек.
distribute-partner = өнөктөш уюмда
distribute-other-household = башка үй чарбасынын курамында
distribute-done = Берүү жазылды.
distribute-give = Жардам берүү
distribute-reason-not-in-group = норма калктын башка тобуна арналган
distribute-reason-condition = норманын шарты аткарылган эмес
distribute-reason-received = алынып коюлган
distribute-reason-received-elsewhere = башка үй чарбасында алынган
field-error-override-reason-required = Бул тиешелүүдөн көп: себебин көрсөтүңүз.
field-error-stock-invalid-value = Пунктта бул буюмдун запасы жетишсиз.
field-error-lines-invalid-value = Саны бүтүн сан болушу керек.
field-error-submission-duplicate = Бул берүү жазылып коюлган. Төмөндөгү алынгандардын тизмесин текшериңиз.

## Импорт

reception-import-link = Тизмени импорттоо (CSV, XLSX)
reception-correcting = Импорт сабын оңдоо: катталгандан кийин ал карантинден чыгат.

# The offline outbox on the reception page.
outbox-title = Жөнөтүүнү күтүүдө
outbox-waiting = күтүүдө:
outbox-sent = жөнөтүлдү:
outbox-decide = чечим керек:
outbox-send = Азыр жөнөтүү
outbox-saved = Ушул телефондо сакталды. Байланыш калыбына келгенде жөнөтүлөт.
outbox-offline = Байланыш жок: каттоолор телефондо сакталып, кийин жөнөтүлөт.
outbox-offline-check = Байланыш жок: мүмкүн болгон кайталанмалар жөнөтүүдө текшерилет.
outbox-no-key = Телефон азырынча каттоолорду сактай албайт: бул баракты байланыш бар кезде бир жолу ачыңыз.
outbox-sign-in = Телефондо сакталган каттоолорду жөнөтүү үчүн кириңиз.
outbox-sending = Жөнөтүлүүдө…
outbox-failed = Азырынча жөнөтүлгөн жок: кайра аракет кылабыз.
outbox-held = чечим керек: мурда катталган болушу мүмкүн
outbox-invalid = оңдой турган каталар бар
outbox-review = Ачуу
outbox-done = катталды
import-title = Тизмени импорттоо
import-intro = Өзүңүз жүргүзгөн таблицаны жүктөңүз: каалаган бөлгүч менен CSV (UTF-8 же Windows-1251) же XLSX. Мамычалар аталыштары боюнча аныкталат; ар бир сап каттоодогудай текшерилет; катасы бар саптар себептери менен карантинге түшөт.
import-file = Файл
import-file-hint = 50 МБ чейин. Бир эле файлды эки жолу жүктөө эч нерсе түзбөйт.
import-default-country = Өлкөсү көрсөтүлбөгөн саптар үчүн өлкө
import-default-city = Шаары көрсөтүлбөгөн саптар үчүн шаар
import-upload = Жүктөө жана текшерүү
import-quarantine = Импорт карантини
import-quarantine-empty = Оңдоону күтүп жаткан саптар жок.
import-line = Сап
import-reasons = Себептери
import-correct = Оңдоо
import-rows-read = сап окулду
import-households-created = үй чарбасы түзүлдү
import-persons-created = адам түзүлдү
import-attached = мурун импорттолгон
import-sent-to-review = дубликат текшерүүсүнө жөнөтүлдү
import-quarantined = сап карантинде
import-unreadable = Файлды окуу мүмкүн болгон жок.
import-refused-rows = Файл кабыл алынган жок: тизмеде { $max } саптан ашык. Аны бөлүктөргө бөлүңүз.
import-refused-columns = Файл кабыл алынган жок: маани { $max }-мамычадан ары турат.
import-refused-cells = Файл кабыл алынган жок: тизмеде толтурулган уячалар { $max } дөн ашык.
import-refused-text = Файл кабыл алынган жок: уячаларда { $max } байттан ашык текст бар.
import-refused-cell = Файл кабыл алынган жок: уячада { $max } белгиден ашык.
import-refused-line = Файл кабыл алынган жок: сап { $max } байттан узун.
import-refused-unpacked = Файл кабыл алынган жок: китеп { $max } байттан ашыкка же өзүндө көрсөтүлгөндөн ашыкка ачылат.
import-refused-parts = Файл кабыл алынган жок: китепте { $max } бөлүктөн ашык.
import-refused-dimensions = Файл кабыл алынган жок: барак уруксат берилгенден чоң өлчөмдү жарыялайт ({ $max } саптан ашык же мамычалар өтө көп).
import-refused-encoding = Файл кабыл алынган жок: { $line }-сапта текст эмес байттар бар. Файл UTF-8 түрүндө жөнөтүүдө бузулган окшойт; аны UTF-8 же Windows-1251 түрүндө кайра сактаңыз.
import-refused-xml = Файл кабыл алынган жок: китепте таблица программалары жазбаган XML түзүлүштөрү бар (DTD же объекттерге шилтемелер).
import-refused-time = Файл кабыл алынган жок: аны окуу { $max } с ашык убакыт алды.
import-refused-empty = Файл кабыл алынган жок: анда баш сап жок.
import-refused-no-name-column = Файл кабыл алынган жок: бир да мамычада ысымдар жок. «Фамилиясы» же «Аты-жөнү» мамычасы керек.
import-refused-limit-hint = Бул сервердин бир импортко койгон чеги; тизмени бир нече файлга бөлүңүз же администратордон чекти өзгөртүүнү сураныңыз.
import-busy = Азыр башка тизмелер иштетилүүдө. Бир мүнөттөн кийин кайра аракет кылыңыз.
import-more-problems = { $count ->
   *[other] жана дагы { $count } ката
}
import-again = Башка файл жүктөө
import-preview = Импорттон мурун текшерүү
import-columns = Мамычалар
import-left-out = колдонулбайт
import-would = Эмне жасалат
import-problems = Саптар боюнча каталар
import-confirm = Импорттоо
import-done = Импорт аяктады
import-field-household = үй чарбасы (топтоо)
import-field-full-name = аты-жөнү
import-field-surname = фамилиясы
import-field-given-name = аты
import-field-patronymic = атасынын аты
import-field-sex = жынысы
import-field-birth-date = туулган күнү
import-field-citizenship = жарандыгы
import-field-relationship = тууганчылыгы
import-field-iin = ИИН
import-field-pin = ПИН
import-field-passport = паспорт
import-field-phone = телефон
import-field-country = өлкө
import-field-region = облус
import-field-city = шаар
import-field-arrival-date = келген күнү
import-field-crossing-point = өткөрүү пункту
import-field-group = калк тобу
import-field-notes = эскертүүлөр
import-field-ignore = колдонулбайт
dispatch-filter-submit = Көрсөтүү
dispatch-pages = Күтүү тизмесинин барактары
dispatch-page-previous = ← Шашылыштуураак
dispatch-page-next = Андан ары →
dispatch-page-of = { $pages } барактын { $page }-и
dispatch-find-sites = Башка жайлар: аталышы же шаар
dispatch-find-submit = Табуу
dispatch-found-pools = { $count ->
    [0] Эч нерсе табылган жок
   *[other] { $count } жай табылды: алар ар бир саптын «Башка бөлмө» тизмесинде
}
dispatch-nearby-pools = Жакын, бош орун бар
dispatch-found-pools-group = Издөө менен табылды
dispatch-pool-free = { $free } бош
dispatch-more-unplaced = дагы { $count } үй-бүлө
dispatch-accept-rest = Калган сунуштарды да кабыл алуу ({ $count })

## Учурлар менен иштөө

nav-cases = Учурлар
cases-title = Учурлар менен иштөө
cases-list = Учурлар
cases-none = Жок.
cases-open-hint = Жаңы учур үй чарбасынын барагынан ачылат.
cases-open-case = Учур ачуу
cases-open-actions = { $count } пландалган аракет
cases-received = Алынган жолдомолор
cases-overdue-sent = Мөөнөтүндө жооп берилбеген жолдомолор
cases-legal-stay = Болуу жана каттоо мөөнөттөрү (14 күн)
cases-legal-stay-hint = Мөөнөт эрежелери — мисалдар; колдонуудагы мыйзам менен салыштырыңыз.
cases-days-left = Калган күн
cases-next-deadline = Жакынкы мөөнөт
cases-overstayed = болуу мөөнөтү ашып кетти
cases-registration-overdue = каттоо мөөнөтү өтүп кетти
cases-case = Учур
cases-assessment = Аялуулукту баалоо
cases-severity = Даражасы
cases-add = Кошуу
cases-plan = Аракет планы
cases-action = Аракет
cases-due = Мөөнөтү
cases-mark-done = Аткарылды
cases-appointments = Жолугушуулар
cases-date = Күнү
cases-purpose = Максаты
cases-place = Орду
cases-notes = Учур боюнча жазуулар
cases-notes-hint = Уюмуңуздун социалдык кызматкерлерине гана көрүнөт.
cases-note = Жаңы жазуу
cases-referrals = Жолдомолор
cases-service = Кызмат
cases-to = Кимге
cases-from = Кимден
cases-sent = Жөнөтүлдү
cases-overdue = мөөнөтүндө жооп жок
cases-consent-by = Макулдук берген
cases-consent-fields = Эмнени берүүгө уруксат
cases-send-referral = Жолдомо жөнөтүү
cases-reason = Себеби
cases-outcome = Жыйынтыгы
cases-referral = Жолдомо
cases-shared = Берилген маалыматтар
cases-reason-or-outcome = Баш тартуунун себеби же жыйынтык
cases-accept = Кабыл алуу
cases-decline = Баш тартуу
cases-in-progress = Иште
cases-close = Жабуу
cases-back = Учурларга
enum-case-open = ачык
enum-case-on-hold = токтотулган
enum-case-closed = жабык
enum-severity-low = төмөн
enum-severity-medium = орточо
enum-severity-high = жогору
enum-severity-critical = өтө коркунучтуу
enum-action-planned = пландалган
enum-action-done = аткарылды
enum-action-cancelled = жокко чыгарылды
enum-service-legal-aid = юридикалык жардам
enum-service-medical = медициналык жардам
enum-service-psychosocial = психосоциалдык колдоо
enum-service-shelter = баш калкалоочу жай
enum-service-onward-travel = андан аркы жол
enum-service-work-programme = жумушка орноштуруу программасы
enum-service-resettlement = үчүнчү өлкөгө көчүрүү
enum-referral-sent = жөнөтүлдү
enum-referral-accepted = кабыл алынды
enum-referral-declined = баш тартылды
enum-referral-in-progress = иште
enum-referral-closed = жабылды
enum-shareable-surname = фамилиясы
enum-shareable-given-name = аты
enum-shareable-patronymic = атасынын аты
enum-shareable-sex = жынысы
enum-shareable-birth-date = туулган күнү
enum-shareable-citizenship = жарандыгы
enum-shareable-documents = документтер
enum-shareable-vulnerabilities = аялуулук
enum-shareable-phone = телефон
enum-shareable-languages = тилдер
enum-shareable-location = жайгашкан жери
enum-shareable-arrival-date = келген күнү
enum-shareable-needs = муктаждыктар
enum-shareable-household-size = үй-бүлөнүн саны
nav-resettlement = Көчүрүү
resettle-title = Көчүрүү программалары
resettle-none = Азырынча программалар жок.
resettle-new = Жаңы программа
resettle-field-name = Аталышы
resettle-field-country = Кабыл алуучу өлкө
resettle-field-country-hint = Эки тамгалуу код, мисалы DE
resettle-field-quota = Орун саны (адам)
resettle-criteria = Кимди кабыл алат
resettle-criteria-hint = Баарын кабыл алуу үчүн шартты бош калтырыңыз; берилген шарттардын баары аткарылышы керек.
resettle-field-citizenships = Үй чарбасы башчысынын жарандыгы
resettle-field-citizenships-hint = Үтүр менен бөлүнгөн эки тамгалуу коддор, мисалы RU, BY
resettle-field-groups = Калк топтору
resettle-field-max-size = Үй чарбасында эң көп ушунча адам
resettle-field-vulnerabilities = Жок дегенде бир мүчөсүндө ушулардын бири бар
resettle-field-conscription = Аскерге чакыруу коркунучу
resettle-field-conscription-hint = Жок дегенде бир ушул курактагы эркек (жогорудагы жарандыктардын, эгер берилсе).
resettle-field-age-from = Курагы, баштап
resettle-field-age-to = Курагы, чейин
resettle-create = Программаны түзүү
resettle-quota = квота (адам)
resettle-used = квотадан колдонулду
resettle-remaining = калган орун
resettle-propose = Үй-бүлөлөрдү артыкчылык боюнча сунуштоо
resettle-entries = Программадагы үй-бүлөлөр
enum-pipeline-proposed = сунушталды
enum-pipeline-submitted = документтер тапшырылды
enum-pipeline-accepted = кабыл алынды
enum-pipeline-rejected = баш тартылды
enum-pipeline-departed = кетти
enum-pipeline-withdrawn = кайра алынды
field-error-place-id-invalid-value = Жерлердин тизмесинен табылган жок: шаардын, айылдын же өткөрүү пунктунун атын каалаган тилде жазыңыз.
field-error-coordinates-invalid-value = Координаттар: кеңдик ±90, узундук ±180 чегинде.
linkage-level-day-and-month-swapped = күн менен ай алмашкан
linkage-level-different = башкача
linkage-level-missing = маалымат жок
linkage-level-one-edit-apart = бир белгиге айырмаланат
linkage-level-one-of-day-month-differs = күнү же айы башка
linkage-level-same-last-7-digits = акыркы 7 цифра бирдей
linkage-level-same-locality-or-postcode = калктуу конушу же индекси бирдей
linkage-level-same-name-group-or-one-typo-apart = аты бирдей же бир ката
linkage-level-same-region-only = облусу гана бирдей
linkage-level-same-street-address-and-area = дареги бирдей
linkage-level-same = бирдей
linkage-level-similar-street-or-same-locality-and-postcode = көчөсү окшош же конушу жана индекси бирдей
linkage-level-similar = окшош
linkage-level-very-similar = абдан окшош
linkage-level-year-off-by-one = жылы бирге айырмаланат

public-stats-title = Статистика: адамдар жана орундар
public-stats-release = { $at } чыгарылышы; сандар бир нече саат сайын жаңыланат, реалдуу убакытта эмес.
public-stats-suppressed = { $threshold } адамдан аз уячалар жашырылган (—), эч кимди таанууга мүмкүн болбош үчүн.
public-stats-csv = CSV жүктөө
public-stats-json = JSON маалыматтары
public-stats-beds = Шаарлар боюнча орундар
public-stats-by-city = Шаар жана топ боюнча адамдар
public-stats-by-age = Жаш жана жыныс боюнча адамдар
public-stats-city = Шаар
public-stats-age = Жашы
public-stats-capacity = Бардык орун
public-stats-in-use = Бош эмес
public-stats-free = Бош
public-stats-total = Бардыгы
public-stats-unconfirmed = орду такталган эмес

## Unconfirmed places
nav-places = Жайлар
places-title = Ырасталбаган жайлар
places-intro = Уюмуңуздун жазууларындагы бул шаар аталыштары жайлар тизмесинде жок. Кайсы жай экенин көрсөтүңүз: ушул аталыштагы бардык жазуулар (жана жаңылары) ага таандык болот, жыйынтыктарда бул бир шаар болот.
places-none = Бардык жайлар ырасталган.
places-name = Жазылгандай
places-records = Жазуулар
places-map-to = Бул жай
places-map = Дал келтирүү
places-not-found = Бул өлкөнүн мындай калктуу пункту жайлар тизмесинде жок. Сунуштардан тандаңыз.
places-mapped = { $count ->
   *[other] { $count } жазуу дал келтирилди.
}
places-unconfirmed = ырасталган эмес

## Self pre-registration (public) and opening it at the desk
pre-register-title = Алдын ала каттоо
pre-register-intro = Кезекте күтүп турганда үй-бүлөңүздү бул жерге жазыңыз. Сиз кыска код аласыз: аны каттоо столуна көрсөтүңүз, ошондо баарын кайра айтып берүүнүн кереги жок. Маалыматты каттоочулар гана көрөт; ырасталбаган жазуу 72 сааттан кийин өчүрүлөт.
pre-register-contact = Кайдасыз жана сиз менен кантип байланышса болот
pre-register-notes = Каттоочуга дагы эмнени билүү керек (милдеттүү эмес)
pre-register-consent = Форманы жөнөтүү менен сиз каттоочулар бул маалыматты көрүшүнө макулсуз. Документтер столдо текшерилет.
pre-register-submit = Код алуу
pre-register-honeypot = Бул талааны толтурбаңыз
pre-register-done = Алдын ала каттоо кодуңуз
pre-register-done-hint = Экранды сүрөткө тартып же кодду жазып алып, каттоо столуна көрсөтүңүз. Код { $count } саат жарактуу.
pre-register-desk-code = Каттоо үстөлүнүн бүгүнкү коду
pre-register-desk-code-hint = Алты сан: аны үстөлдүн жанында көрсөтүшөт, код күн сайын өзгөрөт.
pre-registrations-desk-code = Кезек үчүн бүгүнкү код (кезектегилерге көрсөтүңүз):
field-error-desk-code-invalid-value = Бул бүгүнкү код эмес: каттоо үстөлүнөн сураңыз.
pre-register-limited = Бул даректен арыз өтө көп. Кийинчерээк кайталаңыз же каттоо столуна барыңыз.
pre-registrations-title = Алдын ала каттоону ачуу
pre-registrations-code = Код
pre-registrations-code-hint = Кодду киргизиңиз же үй-бүлөнүн телефонундагы QR-кодду сканерлеңиз.
pre-registrations-open = Ачуу
pre-registrations-not-found = Мындай код менен алдын ала каттоо табылган жок (же мөөнөтү өтүп кеткен).
pre-registrations-pending = { $count ->
    [0] Күтүүдөгү алдын ала каттоо жок
    [one] { $count } алдын ала каттоо күтүүдө
   *[other] { $count } алдын ала каттоо күтүүдө
}
pre-registrations-purged = { $count ->
    [one] { $count } алдын ала каттоо өчүрүлдү.
   *[other] { $count } алдын ала каттоо өчүрүлдү.
}
pre-registrations-members = Адам
reception-pre-registered = Алдын ала каттоо: документтерди жана маалыматты текшерип, сактаңыз.
reception-pre-registrations-link = Алдын ала каттоону код боюнча ачуу
nav-host-offers = Турак жай сунуштары
offer-title = Турак жай сунуу
offer-intro = Түнөгөн жери жок адамдар үчүн бош керебетиңиз, бөлмөңүз же батириңиз болсо, бул жерде сүрөттөңүз. Бирөөнү жиберүүдөн мурун координатор сизге чалып, сунушту текшерет. Дарегиңизди жана телефонуңузду уюмдун координаторлору жана диспетчерлери гана көрөт.
offer-where = Кайда
offer-city = Калктуу конуш
offer-city-hint = Тизмедеги шаар же айыл, мисалы «Бишкек» же «Ош».
offer-address = Дарек
offer-what = Эмне сунуштайсыз
offer-people = Канча адам
offer-from = Кайсы күндөн (КК.АА.ЖЖЖЖ)
offer-until = Кайсы күнгө чейин (милдеттүү эмес)
offer-dates-hint = Аяктоо күнү жок: координатор менен башкача макулдашканга чейин.
offer-families = Үй-бүлө
offer-women-only = Аялдар гана (балдары менен)
offer-children = Балдар менен болот
offer-step-free = Тепкичсиз (араба үчүн)
offer-rent = Төлөм
enum-rent-free = акысыз
enum-rent-rent = акы төлөнүүчү
offer-contact = Сиз менен кантип байланышуу керек
offer-contact-name = Атыңыз
offer-notes = Дагы эмнени билүү маанилүү (милдеттүү эмес)
offer-consent = Форманы жөнөтүү менен сиз уюмдун координаторлору жана диспетчерлери бул маалыматты көрүп, сизге чала турганына макул болосуз.
offer-submit = Сунуштоо
offer-done = Рахмат! Сунушту текшерүү үчүн координатор сизге чалат.
offer-withdraw-hint = Бул шилтемени сактаңыз: ал аркылуу сунушту кайра ала аласыз. Ал бир жолу гана көрсөтүлөт.
offer-withdraw-link = Сунушту кайра алуу шилтемеси
offer-limited = Бул даректен же бул жер үчүн сунуштар өтө көп. Кийинчерээк аракет кылыңыз.
offer-withdraw-title = Сунушту кайра алуу
offer-withdraw-unknown = Шилтеме жараксыз же сунуш мурун кайра алынган.
offer-withdraw-ask = Сунушту кайра аласызбы? Сизге жаңы адамдар жиберилбейт.
offer-withdraw-submit = Кайра алуу
offer-withdrawn = Сунуш кайра алынды. Жардамыңыз үчүн рахмат.
host-offers-title = Турак жай сунуштары
host-offers-intro = Жергиликтүү тургундардын ачык барактагы сунуштары. Ырастоодон мурун чалыңыз же барып көрүңүз: ырасталган сунуш жайгаштыруу орду (жеке турак жай) болуп калат.
host-offers-purged = { $count ->
    [one] { $count } сунуш өчүрүлдү.
   *[other] { $count } сунуш өчүрүлдү.
}
enum-host-offer-status-pending = текшерүүнү күтүүдө
enum-host-offer-status-verified = ырасталды
enum-host-offer-status-rejected = четке кагылды
enum-host-offer-status-withdrawn = кайра алынды
host-offers-none = Сунуштар жок.
host-offers-choose = Тандоо
host-offers-dates = Мөөнөтү
host-offers-accepts = Кимди кабыл алат
host-offers-purge = Тандалгандарды өчүрүү (спам)
host-offer-title = Турак жай сунушу
host-offers-received = Алынды
host-offers-decided = Чечим кабыл алынды
host-offers-note = Текшерүү жөнүндө жазуу
host-offers-note-hint = Кантип текшерилди: чалуу, баруу. Координаторлор жана диспетчерлер гана көрөт.
host-offers-site = Жайгаштыруу орду
host-offers-open-site = Орунду ачуу
host-offers-verify = Ырастоо: текшерилди
host-offers-reject = Четке кагуу
poster-title = Плакат
poster-link = Алдын ала каттоонун QR-коду бар плакат
poster-print-hint = Бул баракты A4 барагына басып чыгарып, адамдар күткөн жерге илиңиз.
poster-page-off = Бул серверде алдын ала каттоо барагы өчүк: QR-код эч жакка алып барбайт.
poster-call = Кезекте күтүп жатасызбы? Кодду сканерлеп, үй-бүлөңүздү алдын ала жазыңыз.
field-error-location-invalid-value = Тизмеден калктуу конушту тандаңыз.
