# Shanyrak — қазақ тіліндегі интерфейс.
# Кілттер ru.ftl файлындағымен бірдей; жоқ кілт орысша көрсетіледі.

## Жалпы

common-required = міндетті
common-yes = иә
common-no = жоқ
common-save = Сақтау
common-cancel = Болдырмау
common-actions = Әрекеттер
common-households = { $count ->
    [one] { $count } үй шаруашылығы
   *[other] { $count } үй шаруашылығы
}
common-people = { $count ->
    [one] { $count } адам
   *[other] { $count } адам
}

## Навигация және тіл

nav-label = Бөлімдер
nav-skip = Мазмұнға өту
nav-reception = Қабылдау
nav-find = Іздеу
nav-sites = Орналастыру орындары
nav-dispatch = Орын бөлу
nav-duplicates = Қайталанған жазбалар
nav-dashboard = Жиынтық
nav-logout = Шығу
nav-signed-in-as = Сіз кірдіңіз:
enum-role-admin = әкімші
enum-role-registrar = тіркеуші
enum-role-site-manager = орналастыру орнының басшысы
enum-role-dispatcher = диспетчер
enum-role-distributor = таратушы
enum-role-caseworker = әлеуметтік қызметкер
enum-role-analyst = талдаушы
enum-role-auditor = аудитор
lang-label = Тіл
lang-apply = Таңдау

## Кіру

login-title = Кіру
login-email = Эл. пошта
login-password = Құпиясөз
login-submit = Кіру
login-failed = Эл. пошта немесе құпиясөз қате.
login-locked = Сәтсіз әрекеттер тым көп. Есептік жазба уақытша бұғатталды, кейінірек қайталап көріңіз.
login-busy = Сервер қазір көп кіруді тексеруде. Бірнеше секунд күтіп, қайталап көріңіз.

## Қателер

error-title = Орындалмады
error-back = Басты бетке
error-csrf = Форма ескірген немесе басқа беттен жіберілген. Бетті қайта ашып, әрекетті қайталаңыз.
error-unauthorized = Жүйеге кіру қажет.
error-forbidden = Бұл әрекет Сіздің рөліңізге қолжетімсіз.
error-not-found = Жазба табылмады.
error-invalid = Деректер қабылданбады: өрістерді тексеріңіз.
error-conflict = Осы уақытта жазбаны басқа біреу өзгертті. Оны қайта ашыңыз.
error-admission = Бұл орындарды алу мүмкін емес (орын жоқ немесе орынның ережелері рұқсат етпейді).
error-too-many = Әрекеттер тым көп. Біраз күте тұрыңыз.
error-busy = Сервер ауыр жұмыспен бос емес (мысалы, орналастыруды есептеу). Бір минуттан кейін қайталаңыз немесе бір қаланы алыңыз.
error-starting = Сервер жаңа ғана іске қосылды және қайталануды тексеру үшін тізілімді әлі жүктеп жатыр. Ештеңе сақталмады. Бірнеше секундтан кейін қайталаңыз.
error-internal = Ішкі қате. Деректер жоғалған жоқ; қайталап көріңіз.

## Өрістер

field-name = Аты-жөні
field-surname = Тегі
field-given-name = Аты
field-patronymic = Әкесінің аты
field-sex = Жынысы
field-birth-date = Туған күні
field-birth-date-hint = күн.ай.жыл, мысалы 27.09.1985; тек жылы белгілі болса — 1985
field-birth-date-estimated = Күні шамамен
field-birth-date-estimated-short = шамамен
field-relationship = Отбасы басшысына кім болады
field-citizenship = Азаматтығы
field-document-type = Құжат
field-document-number = Құжат нөмірі
field-document-number-hint = Пішімі құжатқа байланысты; бос орын мен сызықшаны енгізбеуге болады.
field-vulnerabilities = Осалдық
field-group = Халық тобы
field-arrival-date = Келген күні
field-crossing-point = Өткізу пункті
field-country = Ел
field-region = Облыс
field-city = Қала / елді мекен
field-current-place = Қазір қайда, егер әлі қалада болмаса (қала немесе өткізу пункті)
field-phone = Телефон
field-languages = Тілдер
field-needs = Қажеттіліктер
field-accepts-sex-separation = Ерлер мен әйелдердің бөлек бөлмелерде ұйықтауына келіседі
field-accepts-several-rooms = Үлкен отбасы бір жердегі бірнеше бөлмеге орналасуға келіседі
field-legal-basis = Құқықтық негіз
field-information-given = Адамға не жазылатыны, не үшін жазылатыны және оны кім көретіні түсіндірілді
field-information-given-hint = Негіз ретінде келісім алынса, міндетті.
field-notes = Ескертпелер
field-notes-hint = Тек көмек көрсетуге қажетті мәліметті жазыңыз. Мұнда диагноздарды және басқа адамдардың деректерін жазбаңыз.
field-reference = Код
field-status = Күйі
field-site = Орналастыру орны

field-error-required = Бұл өрісті толтырыңыз.
field-error-empty = Өріс бос болмауы керек.
field-error-too-long = Тым ұзын.
field-error-too-many = Мәндер тым көп.
field-error-control-character = Жарамсыз таңбалар.
field-error-invalid-format = Пішімі қате.
field-error-invalid-date = Күн танылмады: күн.ай.жыл түрінде енгізіңіз (мысалы, 27.09.1985).
field-error-no-such-date = Күнтізбеде мұндай күн жоқ: күн мен айды тексеріңіз.
field-error-date-in-future = Бұл күн әлі келген жоқ.
field-error-date-implausible = Күн шындыққа жанаспайды.
field-error-unknown-country = Белгісіз ел.
field-error-invalid-phone = Телефон нөмірі танылмады.
field-error-invalid-document-number = Нөмір құжат пішіміне сәйкес келмейді.
field-error-document-checksum = Нөмірде қате бар: бақылау цифры сәйкес келмейді.
field-error-document-birth-date-mismatch = Нөмірдегі (ЖСН, ПИН) туған күн енгізілген күнмен сәйкес келмейді.
field-error-document-sex-mismatch = Нөмірдегі (ЖСН, ПИН) жыныс енгізілгенмен сәйкес келмейді.
field-error-document-country-mismatch = Берген ел бұл құжатқа сәйкес келмейді.
field-error-duplicate = Мән қайталанады.
field-error-no-head = Үй шаруашылығының басшысын көрсетіңіз.
field-error-several-heads = Үй шаруашылығының басшысы біреу ғана болуы керек.
field-error-unknown-member = Мұндай отбасы мүшесі жоқ.
field-error-read-only = Бұл өрісті өзгертуге болмайды.
field-error-invalid-type = Мәні қате.
field-error-unknown-field = Белгісіз өріс.
field-error-invalid-value = Жарамсыз мән.
field-error-information-given-invalid-value = Келісім алдында адамға не жазылатынын және не үшін екенін түсіндіру керек; осыны белгілеңіз.

## Мәндер

enum-sex-female = әйел
enum-sex-male = ер
enum-sex-unknown = көрсетілмеген
enum-group-arrival = шетелден келгендер
enum-group-idp = ел ішінде қоныс аударғандар
enum-group-returnee = оралғандар
enum-group-host-community = қабылдаушы қауым
enum-need-shelter = баспана
enum-need-food = тамақ
enum-need-medical = медициналық көмек
enum-need-legal = заң көмегі
enum-need-onward-travel = әрі қарай жол жүру
enum-need-other = басқа
enum-relationship-head = басшы
enum-relationship-spouse = жұбайы
enum-relationship-child = баласы
enum-relationship-parent = ата-анасы
enum-relationship-sibling = бауыры (аға, іні, әпке, сіңлі)
enum-relationship-grandchild = немересі
enum-relationship-grandparent = атасы / әжесі
enum-relationship-other-relative = басқа туысы
enum-relationship-non-relative = туысы емес
enum-vulnerability-child = бала
enum-vulnerability-unaccompanied-minor = ілесушісіз кәмелетке толмаған
enum-vulnerability-older-person = егде адам
enum-vulnerability-disability = мүгедектік
enum-vulnerability-medical = медициналық қажеттіліктер
enum-vulnerability-pregnant = жүктілік
enum-vulnerability-single-caregiver = балаларымен жалғыз
enum-vulnerability-protection-risk = қауіпсіздікке қатер
enum-legal-basis-consent = келісім
enum-legal-basis-vital-interest = өмірлік маңызды мүдделер
enum-legal-basis-public-interest = қоғамдық мүдде
enum-status-active = белсенді
enum-status-moved-on = кетті
enum-status-closed = жабық
enum-document-ru-internal-passport = РФ ішкі паспорты
enum-document-ru-international-passport = РФ шетелдік паспорты
enum-document-kz-id = ҚР жеке куәлігі / паспорты (ЖСН)
enum-document-kg-id = Қырғызстанның ID-картасы (ПИН)
enum-document-passport-other = басқа паспорт
enum-document-birth-certificate = туу туралы куәлік
enum-document-none = құжат жоқ
enum-pool-male-dorm = ерлер жатақханасы
enum-pool-female-dorm = әйелдер жатақханасы
enum-pool-family-room = отбасылық бөлмелер
enum-pool-mixed = ортақ зал
enum-site-kind-sports-hall = спорт залы
enum-site-kind-mosque = мешіт
enum-site-kind-cinema = кинотеатр
enum-site-kind-school = мектеп
enum-site-kind-dormitory = жатақхана
enum-site-kind-hostel = хостел
enum-site-kind-hotel = қонақ үй
enum-site-kind-private-accommodation = жеке тұрғын үй
enum-site-kind-other = басқа
enum-site-status-open = ашық
enum-site-status-full = толы
enum-site-status-closed = жабық
enum-site-kind-group-collective = ортақ орын
enum-site-kind-group-commercial = хостел немесе қонақ үй
enum-site-kind-group-private = жеке тұрғын үй
enum-stay-reserved = брондалды
enum-stay-checked-in = орналастырылды
enum-stay-checked-out = шықты
enum-stay-cancelled = жойылды
enum-stay-expired = броньның мерзімі өтті

country-ru = Ресей
country-kz = Қазақстан
country-kg = Қырғызстан
country-uz = Өзбекстан
country-tj = Тәжікстан
country-by = Беларусь
country-ua = Украина
country-am = Армения
country-az = Әзірбайжан
country-ge = Грузия

linkage-field-surname = тегі
linkage-field-given-name = аты
linkage-field-patronymic = әкесінің аты
linkage-field-birth-date = туған күні
linkage-field-document = құжат
linkage-field-phone = телефон
linkage-field-sex = жынысы
linkage-field-citizenship = азаматтығы
linkage-field-address = мекенжайы

## Қабылдау

reception-title = Қабылдау: жаңа тіркеу
reception-household = Үй шаруашылығы
reception-members = Отбасы мүшелері
reception-member-title = { $number }-адам
reception-add-member = Адам қосу
reception-remove-member = Бұл адамды алып тастау
reception-check = Қайталанған жазбаларға тексеру
reception-save = Тіркеу
reception-more = Қосымша мәліметтер
reception-errors = { $count ->
    [one] { $count } қатені түзетіңіз.
   *[other] { $count } қатені түзетіңіз.
}
reception-no-duplicates = Ұқсас жазбалар табылмады.
reception-already-saved = Бұл форма бұрын сақталған. Деректерді тексеріп, жаңа тіркеу ретінде сақтаңыз.
reception-duplicates-title = Бұрын тіркелген болуы мүмкін:
reception-duplicates-open = ашу
reception-duplicates-partner = Серіктес ұйымда ұқсас жазба бар.
reception-duplicates-probability = сәйкестік { $percent } %
reception-duplicates-agree = сәйкес:
reception-duplicates-disagree = айырмашылық:
reception-duplicates-new = Бұл басқа адам — бөлек тіркеу
reception-decide-duplicates = { $count ->
   *[other] { $count } адам бұрын тіркелген болуы мүмкін. Әрқайсысына белгілеңіз: бұл сол адам ба, әлде басқа ма — және қайта сақтаңыз.
}
reception-duplicates-decide = Таңдаңыз: сол адам ба, әлде басқа адам ба.

## Карточка

card-title = Үй шаруашылығының карточкасы
card-registered = Тіркелді.
card-attached = { $count ->
    [one] { $count } адам бұрыннан бар жазбамен байланыстырылды.
   *[other] { $count } адам бұрыннан бар жазбалармен байланыстырылды.
}
card-qr = Үй шаруашылығының коды бар QR-код
card-keep = Бұл кодты сақтаңыз: орналастыру пунктінде және көмек берілгенде Сізді осы код арқылы табады.
card-open = Жазбаны ашу
card-next = Келесі тіркеу

## Іздеу

find-title = Іздеу
find-label = Аты, құжат нөмірі, телефон немесе код
find-hint = Атын кириллицамен немесе латын әрпімен, кез келген ретпен енгізуге болады.
find-submit = Табу
find-results = { $count ->
    [one] { $count } адам табылды
   *[other] { $count } адам табылды
}
find-none = Ешкім табылмады. Басқаша жазып көріңіз немесе құжат нөмірін енгізіңіз.
find-invalid = 1-ден 200-ге дейін таңба енгізіңіз.

## Үй шаруашылығы

household-title = Үй шаруашылығы
household-card = Карточка және QR-код
household-edit = Өзгерту
household-save = Өзгерістерді сақтау
household-registered = Тіркелген
household-stays = Орналастыру
household-no-stays = Орналастыру болған жоқ.
household-stay-from = Қашаннан
household-stay-to = Қашанға дейін
household-reserved-until = бронь мерзімі:
household-audit = Өзгерістер тарихы
household-audit-when = Қашан
household-audit-who = Кім
household-audit-what = Не
rights-column = Олардың деректері
rights-data-link = Бізде не сақталған
rights-erase-link = Жою…
rights-back = Үй шаруашылығына оралу
rights-data-title = Бұл адам туралы бізде не сақталған
rights-data-intro = Адам туралы жазылғанның бәрі, күні
rights-data-download = Берілетін файлды жүктеу (JSON)
rights-data-reads = Жазбаны кім ашты
rights-data-purpose = Мақсаты
rights-data-changes = Жазбаның өзгерістері
rights-data-stays = Орналастыру пункттерінде тұру
rights-data-received = Алынған көмек
rights-data-cases = Істер
rights-data-cases-withheld = (көрсетілмеген: { $count }, тек әлеуметтік қызметкерлерге)
rights-data-referrals = Жолдамалар
rights-data-agreements = Ұйымның деректер алмасу келісімдері
rights-erase-title = Бұл адамның деректерін жою
rights-erase-warning = Жоюды болдырмау мүмкін емес. Аты-жөні, құжаттар, туған күні мен айы, осалдықтар, іс жазбалары және өзгерістер тарихындағы көшірмелер жойылады; адам тек жасырын санақта қалады. Мұны тек адамның өз өтініші бойынша жасаңыз.
rights-erase-reason = Себебі
rights-erase-reason-hint = Деректер жойылғаннан кейін аудит журналында сақталады: адамның атын атамаңыз. Ең көбі 500 таңба.
rights-erase-confirm = Біржола жою
rights-erased-title = Деректер жойылды
rights-erased-done = Адамның деректері жойылды. Санақта ол жасырын түрде қалады.
rights-erased-audit = Өзгерістер тарихының жойылған жазбалары
rights-erased-review = Қайталануды тексерудің жойылған жұптары
rights-erased-imports = Импорттың жойылған жолдары мен файлдары
rights-erased-household = Үй шаруашылығы иесіздендірілді (басқа мүшесі жоқ)
household-changed-meanwhile = Сіз өңдеп жатқанда жазбаны басқа біреу өзгертті. Оны қайта ашып, өзгерістерді қайтадан енгізіңіз.

## Орналастыру орындары

sites-title = Орналастыру орындары
sites-none = Әзірге орындар жоқ.
sites-cities = Қалалар
sites-choose-city = Орналастыру пункттерін көру үшін қаланы таңдаңыз.
sites-time-zone = Мұндағы уақыт { $zone } белдеуі бойынша (қазір { $now }).
sites-count = { $count } пункт
sites-no-pools = Төсек орын жоқ.
sites-others = Басқа орналастыру орындары
sites-others-hint = Атаулары мен мекенжайларын тек адамдарды сол жерге орналастыратындар көреді.
sites-kind-group = Түрі
sites-free-beds = Бос орындар
sites-pool-kind = Бөлме
sites-occupancy = Толуы
sites-occupied = алынған
sites-reserved = брондалған
sites-free = бос
sites-bar-label = { $capacity } орын: алынған { $occupied }, брондалған { $reserved }, бос { $free }
sites-room-size = { $count ->
    [one] { $count } орын
   *[other] { $count } орын
}
sites-check-in = Орналастыру
sites-reference = Үй шаруашылығының коды
sites-reference-hint = Карточкадан; сызықшасыз, кириллицамен немесе латын әрпімен енгізуге болады.
sites-check-in-submit = Орналастыру
sites-scan = QR сканерлеу
sites-beds = Төсек орындар
sites-edit-beds = Орындарды өзгерту
sites-beds-total = Барлығы
sites-beds-blocked = Пайдаланылмайды
sites-beds-step-free = Баспалдақсыз
sites-beds-transitory = Транзиттік
sites-residents = Тұрып жатқандар мен күтілетіндер
sites-no-residents = Ешкім жоқ.
sites-nights = Түн саны
sites-overdue = көптен бері көрінбеді
sites-max-nights = тұру мерзімі бітті
sites-seen = Белгілеу: орнында
sites-check-out = Шығару
sites-cancel = Броньды болдырмау
sites-persons = Адам саны
sites-done-checked-in = Орналастырылды.
sites-done-checked-out = Шығарылды.
sites-done-cancelled = Бронь жойылды.
sites-done-seen = Белгіленді.
sites-done-pool-saved = Орындар сақталды.
sites-done-no-reservation = Бұл код бойынша мұнда бронь жоқ.
sites-done-unknown-reference = Код танылмады: таңбаларды тексеріңіз.
sites-walk-in-intro = Бұл код үшін мұнда бронь жоқ. Броньсыз орналастыру:
sites-walk-in-full = Бос орын жоқ.
sites-walk-in-pool = { $pool }: бос { $free }
sites-walk-in-back = Орналастыру орнына қайту
sites-done-walk-in-refused = Мұнда орналастыру мүмкін болмады: орын жетпейді немесе бөлме бұл отбасына сай емес. Басқасын таңдаңыз.

## Орын бөлу

dispatch-title = Орындарға бөлу
dispatch-propose = Орналастыруды ұсыну
dispatch-all-cities = Барлық қалалар
dispatch-max-travel = Ең алысы, км
dispatch-propose-submit = Ұсыну
dispatch-waiting = Орын күтіп отырғандар
dispatch-nobody-waiting = Орын күтіп отырған ешкім жоқ.
dispatch-priority = Басымдық
dispatch-waiting-days = Күту күндері
dispatch-composition = { $persons }: ер { $men }, әйел { $women }, бала { $children }
dispatch-batch-title = Орналастыру ұсыныстары
dispatch-proposals = Ұсыныстар
dispatch-no-proposals = Ешкімді орналастыру мүмкін болмады.
dispatch-reason = Неліктен
dispatch-decision = Шешім
dispatch-accept = Қабылдау
dispatch-reject = Қабылдамау
dispatch-later = Кейінірек
dispatch-reject-reason = Бас тарту себебі
dispatch-override = Басқа бөлме
dispatch-as-proposed = ұсынылғандай
dispatch-decide-submit = Шешімдерді қолдану
dispatch-unplaced = Орналастырылмағандар
dispatch-all-placed = Барлығы орналастырылды.
dispatch-unknown-household = үй шаруашылығы
dispatch-back = Күту тізіміне
dispatch-back-to-batch = Ұсыныстарға
dispatch-results = Нәтиже
dispatch-all-done = Шешімдер қолданылды.
dispatch-failed = { $count ->
    [one] { $count } шешімді қолдану мүмкін болмады.
   *[other] { $count } шешімді қолдану мүмкін болмады.
}
dispatch-in-city = өз қаласында
dispatch-travel = өз қаласынан { $km } км
dispatch-travel-from-here = қазір тұрған жерінен { $km } км
dispatch-better-unavailable = { $count ->
    [one] { $count } ыңғайлырақ нұсқа бос емес
   *[other] { $count } ыңғайлырақ нұсқа бос емес
}
dispatch-decided-accepted = қабылданды
dispatch-decided-rejected = қабылданбады
dispatch-decided-failed = орындалмады
dispatch-outcome-accepted = қабылданды, орындар брондалды
dispatch-outcome-rejected = қабылданбады
dispatch-outcome-failed = орындалмады
dispatch-failure-already-decided = шешім бұрын қабылданған
dispatch-failure-not-found = табылмады
dispatch-failure-invalid = деректер қате
dispatch-failure-not-in-proposal = ұсыныста болмаған
dispatch-failure-household-changed = отбасы құрамы өзгерді
dispatch-failure-site-closed = орын жабық
dispatch-failure-no-occupants = орналастыратын ешкім жоқ
dispatch-failure-no-capacity = орын қалмады
dispatch-failure-no-room-free = бос бөлме жоқ
dispatch-failure-room-too-small = бөлме тым кішкентай
dispatch-failure-no-step-free-bed = баспалдақсыз орын жоқ
dispatch-failure-child-in-male-dorm = бала ерлер жатақханасында
dispatch-failure-children-not-allowed = балаларға рұқсат жоқ
dispatch-failure-wrong-sex-for-pool = бөлме басқа жынысқа арналған
dispatch-failure-transitory-needs-one-night = транзиттік орындар тек бір түнге беріледі
dispatch-failure-already-housed = орналастырылып қойған
dispatch-failure-invalid-transition = бұл күйде әрекет мүмкін емес
arrangement-family-room = жеке отбасылық бөлме
arrangement-mixed-dorm = ортақ залда бірге
arrangement-single-sex-dorm = өз жынысына арналған жатақханада
arrangement-separated-by-sex = ерлер мен әйелдер бөлек (келісімімен)
arrangement-family-rooms = бір орынның бірнеше отбасылық бөлмесі (келісіммен)
choice-least-contested-beds = басқаларға ең аз қажет орындар
choice-leftover-beds = қалған орындар
choice-first-come-first-served = бірінші бос орын
unplaced-no-site-in-reach = қалада да, рұқсат етілген радиуста да орын жоқ
unplaced-stay-too-long = орындар қажетті мерзімге қабылдамайды
unplaced-children-not-allowed = орындар балаларды қабылдамайды
unplaced-sex-separation-refused = тек бөлек орындар бар, ал отбасы бөлінуге келіспейді
unplaced-child-without-adult = отбасының ересек адамынсыз балалар: бала жалғыз орналастырылмайды
unplaced-no-family-room-large-enough = жеткілікті үлкен отбасылық бөлме жоқ
unplaced-no-suitable-pool = лайықты бөлме жоқ
unplaced-no-step-free-bed = баспалдақсыз орындар жетпейді
unplaced-no-pool-large-enough = ешбір жерде бірден сонша орын жоқ
unplaced-capacity-taken-by-higher-priority = орындар көбірек мұқтаж адамдарға берілді

## Қайталанған жазбалар

duplicates-title = Ықтимал қайталанған жазбалар
duplicates-filter = Көрсету
duplicates-status-pending = шешім күтуде
duplicates-status-same = бір адам
duplicates-status-different = әртүрлі адамдар
duplicates-none = Жұптар жоқ.
duplicates-first = Бірінші жазба
duplicates-second = Екінші жазба
duplicates-probability = Сәйкестік
duplicates-pair = Жазбаларды салыстыру
duplicates-evidence = Неге негізделген
duplicates-field = Өріс
duplicates-comparison = Салыстыру
duplicates-weight = Салмағы
duplicates-same = Бұл бір адам
duplicates-different = Бұлар әртүрлі адамдар
duplicates-undo = Шешімді болдырмау
duplicates-back = Тізімге

## Жиынтық

dashboard-title = Жиынтық
dashboard-as-of = Деректер жаңартылды:
dashboard-freshness = Жаңа тіркеулер, орналастырулар мен берілімдер бірден қосылады, басқа өзгерістер келесі жаңартуда; төсек-орындар нақты уақытта.
dashboard-persons = адам тіркелген
dashboard-arrived-days = { $count ->
    [one] { $count } күнде келді
   *[other] { $count } күнде келді
}
dashboard-waiting = { $count ->
    [one] орын күтуде ({ $count } үй шаруашылығында)
   *[other] орын күтуде ({ $count } үй шаруашылығында)
}
dashboard-occupied = орын алынған
dashboard-free = бос орын
dashboard-arrivals = Күндер және өткізу пункттері бойынша келгендер
dashboard-crossing-unknown = пункт көрсетілмеген
dashboard-as-table = Кесте түрінде
dashboard-waiting-vs-free = Қалалар бойынша орын күтушілер мен бос орындар
dashboard-waiting-people = орын күтушілер
dashboard-no-cities = Әзірге деректер жоқ.
dashboard-beds-by-city = Қалалар бойынша орындар

## Көмек беру

nav-distribute = Көмек беру
distribute-title = Көмек беру
distribute-point = Беру пункті
distribute-unknown-household = Бұл кодпен үй шаруашылығы табылмады.
distribute-no-points = Ұйымыңызда беру пункттері жоқ.
distribute-open = Ашу
distribute-item = Не
distribute-entitled = Қазір тиесілі
distribute-quantity = Беру
distribute-unlimited = шектеусіз
distribute-remaining = { $allowed } ішінен { $remaining } беруге болады
distribute-again-on = қайтадан беруге болатын күн:
distribute-override-reason = Нормадан тыс беру себебі
distribute-override-hint = Тиесіліден көп берсеңіз ғана керек; журналға жазылады.
distribute-submit = Беруді жазу
distribute-fill = Тиесілінің бәрі
distribute-plus-one = Тағы біреу: { $item }
distribute-over-item = { $item }: { $asked } беріп жатырсыз, тағы { $remaining } тиесілі
distribute-recent = Соңғы уақытта алғаны
distribute-nothing-yet = Әзірге ештеңе алынған жоқ.
distribute-partner = серіктес ұйымда
distribute-other-household = басқа үй шаруашылығы құрамында
distribute-done = Беру жазылды.
distribute-give = Көмек беру
distribute-reason-not-in-group = норма басқа халық тобына арналған
distribute-reason-condition = норма шарты орындалмаған
distribute-reason-received = алынып қойған
distribute-reason-received-elsewhere = басқа үй шаруашылығында алынған
field-error-override-reason-required = Бұл тиесіліден көп: себебін көрсетіңіз.
field-error-stock-invalid-value = Пунктте бұл заттың қоры жеткіліксіз.
field-error-lines-invalid-value = Саны бүтін сан болуы керек.
field-error-submission-duplicate = Бұл беру жазылып қойған. Төмендегі алынғандар тізімін тексеріңіз.

## Импорт

reception-import-link = Тізімді импорттау (CSV, XLSX)
reception-correcting = Импорт жолын түзету: тіркелгеннен кейін ол карантиннен шығады.

# The offline outbox on the reception page.
outbox-title = Жіберуді күтуде
outbox-waiting = күтуде:
outbox-sent = жіберілді:
outbox-decide = шешім керек:
outbox-send = Қазір жіберу
outbox-saved = Осы телефонда сақталды. Байланыс қалпына келгенде жіберіледі.
outbox-offline = Байланыс жоқ: тіркеулер телефонда сақталып, кейін жіберіледі.
outbox-offline-check = Байланыс жоқ: ықтимал қайталанулар жіберу кезінде тексеріледі.
outbox-no-key = Телефон әлі тіркеулерді сақтай алмайды: бұл бетті байланыс бар кезде бір рет ашыңыз.
outbox-sign-in = Телефонда сақталған тіркеулерді жіберу үшін кіріңіз.
outbox-sending = Жіберілуде…
outbox-failed = Әлі жіберілген жоқ: қайта тырысамыз.
outbox-held = шешім керек: бұрын тіркелген болуы мүмкін
outbox-invalid = түзететін қателер бар
outbox-review = Ашу
outbox-done = тіркелді
import-title = Тізімді импорттау
import-intro = Өзіңіз жүргізетін кестені жүктеңіз: кез келген бөлгішпен CSV (UTF-8 немесе Windows-1251) немесе XLSX. Бағандар тақырыптары бойынша анықталады; әр жол тіркеудегідей тексеріледі; қатесі бар жолдар себептерімен карантинге түседі.
import-file = Файл
import-file-hint = 50 МБ-қа дейін. Бір файлды екі рет жүктеу ештеңе жасамайды.
import-default-country = Елі көрсетілмеген жолдар үшін ел
import-default-city = Қаласы көрсетілмеген жолдар үшін қала
import-upload = Жүктеу және тексеру
import-quarantine = Импорт карантині
import-quarantine-empty = Түзетуді күтіп тұрған жолдар жоқ.
import-line = Жол
import-reasons = Себептері
import-correct = Түзету
import-rows-read = жол оқылды
import-households-created = үй шаруашылығы құрылды
import-persons-created = адам құрылды
import-attached = бұрын импортталған
import-sent-to-review = телнұсқа тексеруіне жіберілді
import-quarantined = жол карантинде
import-unreadable = Файлды оқу мүмкін болмады.
import-refused-rows = Файл қабылданбады: тізімде { $max } жолдан артық. Оны бөліктерге бөліңіз.
import-refused-columns = Файл қабылданбады: мән { $max }-бағаннан әрі тұр.
import-refused-cells = Файл қабылданбады: тізімде толтырылған ұяшықтар { $max }-ден артық.
import-refused-text = Файл қабылданбады: ұяшықтарда { $max } байттан артық мәтін бар.
import-refused-cell = Файл қабылданбады: ұяшықта { $max } таңбадан артық.
import-refused-line = Файл қабылданбады: жол { $max } байттан ұзын.
import-refused-unpacked = Файл қабылданбады: кітап { $max } байттан артыққа немесе өзінде көрсетілгеннен артыққа ашылады.
import-refused-parts = Файл қабылданбады: кітапта { $max } бөліктен артық.
import-refused-dimensions = Файл қабылданбады: парақ рұқсат етілгеннен үлкен өлшемді жариялайды ({ $max } жолдан артық немесе бағандар тым көп).
import-refused-encoding = Файл қабылданбады: { $line }-жолда мәтін емес байттар бар. Файл UTF-8 түрінде жіберу кезінде бүлінген сияқты; оны UTF-8 немесе Windows-1251 түрінде қайта сақтаңыз.
import-refused-xml = Файл қабылданбады: кітапта кесте бағдарламалары жазбайтын XML құрылымдары бар (DTD немесе нысан сілтемелері).
import-refused-time = Файл қабылданбады: оны оқу { $max } с-тан ұзаққа созылды.
import-refused-empty = Файл қабылданбады: онда тақырып жолы жоқ.
import-refused-no-name-column = Файл қабылданбады: бірде-бір бағанда аты-жөні жоқ. «Тегі» немесе «Аты-жөні» бағаны керек.
import-refused-limit-hint = Бұл сервердің бір импортқа қоятын шегі; тізімді бірнеше файлға бөліңіз немесе әкімшіден шекті өзгертуді сұраңыз.
import-busy = Қазір басқа тізімдер өңделуде. Бір минуттан кейін қайталап көріңіз.
import-more-problems = { $count ->
   *[other] және тағы { $count } қате
}
import-again = Басқа файл жүктеу
import-preview = Импорт алдында тексеру
import-columns = Бағандар
import-left-out = пайдаланылмайды
import-would = Не жасалады
import-problems = Жолдар бойынша қателер
import-confirm = Импорттау
import-done = Импорт аяқталды
import-field-household = үй шаруашылығы (топтау)
import-field-full-name = аты-жөні
import-field-surname = тегі
import-field-given-name = аты
import-field-patronymic = әкесінің аты
import-field-sex = жынысы
import-field-birth-date = туған күні
import-field-citizenship = азаматтығы
import-field-relationship = туыстығы
import-field-iin = ЖСН
import-field-pin = ПИН
import-field-passport = паспорт
import-field-phone = телефон
import-field-country = ел
import-field-region = облыс
import-field-city = қала
import-field-arrival-date = келген күні
import-field-crossing-point = өткізу пункті
import-field-group = халық тобы
import-field-notes = ескертпелер
import-field-ignore = пайдаланылмайды
dispatch-filter-submit = Көрсету
dispatch-pages = Күту тізімінің беттері
dispatch-page-previous = ← Шұғылырақ
dispatch-page-next = Әрі қарай →
dispatch-page-of = { $pages } беттің { $page }-і
dispatch-find-sites = Басқа орындар: атауы немесе қала
dispatch-find-submit = Табу
dispatch-found-pools = { $count ->
    [0] Ештеңе табылмады
   *[other] { $count } орын табылды: олар әр жолдың «Басқа бөлме» тізімінде
}
dispatch-nearby-pools = Жақын, бос орны бар
dispatch-found-pools-group = Іздеу арқылы табылды
dispatch-pool-free = { $free } бос
dispatch-more-unplaced = тағы { $count } үй шаруашылығы
dispatch-accept-rest = Қалған ұсыныстарды да қабылдау ({ $count })

## Жағдайлармен жұмыс

nav-cases = Жағдайлар
cases-title = Жағдайлармен жұмыс
cases-list = Жағдайлар
cases-none = Жоқ.
cases-open-hint = Жаңа жағдай үй шаруашылығының бетінен ашылады.
cases-open-case = Жағдай ашу
cases-open-actions = { $count } жоспарлы әрекет
cases-received = Алынған жолдамалар
cases-overdue-sent = Мерзімінде жауап берілмеген жолдамалар
cases-legal-stay = Болу және тіркелу мерзімдері (14 күн)
cases-legal-stay-hint = Мерзім ережелері — мысалдар; қолданыстағы заңмен салыстырыңыз.
cases-days-left = Қалған күн
cases-next-deadline = Жақын мерзім
cases-overstayed = болу мерзімі асып кетті
cases-registration-overdue = тіркелу мерзімі өтіп кетті
cases-case = Жағдай
cases-assessment = Осалдықты бағалау
cases-severity = Дәрежесі
cases-add = Қосу
cases-plan = Әрекет жоспары
cases-action = Әрекет
cases-due = Мерзімі
cases-mark-done = Орындалды
cases-appointments = Кездесулер
cases-date = Күні
cases-purpose = Мақсаты
cases-place = Орны
cases-notes = Жағдай бойынша жазбалар
cases-notes-hint = Тек ұйымыңыздың әлеуметтік қызметкерлеріне көрінеді.
cases-note = Жаңа жазба
cases-referrals = Жолдамалар
cases-service = Қызмет
cases-to = Кімге
cases-from = Кімнен
cases-sent = Жіберілді
cases-overdue = мерзімінде жауап жоқ
cases-consent-by = Келісім берген
cases-consent-fields = Не беруге рұқсат етілген
cases-send-referral = Жолдама жіберу
cases-reason = Себебі
cases-outcome = Нәтижесі
cases-referral = Жолдама
cases-shared = Берілген мәліметтер
cases-reason-or-outcome = Бас тарту себебі немесе нәтижесі
cases-accept = Қабылдау
cases-decline = Бас тарту
cases-in-progress = Жұмыста
cases-close = Жабу
cases-back = Жағдайларға
enum-case-open = ашық
enum-case-on-hold = тоқтатылған
enum-case-closed = жабық
enum-severity-low = төмен
enum-severity-medium = орташа
enum-severity-high = жоғары
enum-severity-critical = аса қауіпті
enum-action-planned = жоспарланған
enum-action-done = орындалды
enum-action-cancelled = болдырылмады
enum-service-legal-aid = заң көмегі
enum-service-medical = медициналық көмек
enum-service-psychosocial = психоәлеуметтік қолдау
enum-service-shelter = баспана
enum-service-onward-travel = әрі қарай жол
enum-service-work-programme = жұмысқа орналастыру бағдарламасы
enum-service-resettlement = үшінші елге қоныстандыру
enum-referral-sent = жіберілді
enum-referral-accepted = қабылданды
enum-referral-declined = бас тартылды
enum-referral-in-progress = жұмыста
enum-referral-closed = жабылды
enum-shareable-surname = тегі
enum-shareable-given-name = аты
enum-shareable-patronymic = әкесінің аты
enum-shareable-sex = жынысы
enum-shareable-birth-date = туған күні
enum-shareable-citizenship = азаматтығы
enum-shareable-documents = құжаттар
enum-shareable-vulnerabilities = осалдық
enum-shareable-phone = телефон
enum-shareable-languages = тілдер
enum-shareable-location = орналасқан жері
enum-shareable-arrival-date = келген күні
enum-shareable-needs = қажеттіліктер
enum-shareable-household-size = отбасы мөлшері
nav-resettlement = Қоныстандыру
resettle-title = Қоныстандыру бағдарламалары
resettle-none = Әзірге бағдарламалар жоқ.
resettle-new = Жаңа бағдарлама
resettle-field-name = Атауы
resettle-field-country = Қабылдаушы ел
resettle-field-country-hint = Екі әріпті код, мысалы DE
resettle-field-quota = Орын саны (адам)
resettle-criteria = Кімді қабылдайды
resettle-criteria-hint = Барлығын қабылдау үшін шартты бос қалдырыңыз; берілген шарттардың бәрі орындалуы керек.
resettle-field-citizenships = Үй шаруашылығы басшысының азаматтығы
resettle-field-citizenships-hint = Үтірмен бөлінген екі әріпті кодтар, мысалы RU, BY
resettle-field-groups = Халық топтары
resettle-field-max-size = Үй шаруашылығында ең көбі осынша адам
resettle-field-vulnerabilities = Кемінде бір мүшесінде осылардың бірі бар
resettle-field-conscription = Әскерге шақыру қаупі
resettle-field-conscription-hint = Кемінде бір осы жастағы ер адам (жоғарыдағы азаматтықтардың, егер берілсе).
resettle-field-age-from = Жасы, бастап
resettle-field-age-to = Жасы, дейін
resettle-create = Бағдарламаны құру
resettle-quota = квота (адам)
resettle-used = квотадан пайдаланылды
resettle-remaining = қалған орын
resettle-propose = Отбасыларды басымдық бойынша ұсыну
resettle-entries = Бағдарламадағы отбасылар
enum-pipeline-proposed = ұсынылды
enum-pipeline-submitted = құжаттар тапсырылды
enum-pipeline-accepted = қабылданды
enum-pipeline-rejected = бас тартылды
enum-pipeline-departed = кетті
enum-pipeline-withdrawn = кері алынды
field-error-place-id-invalid-value = Орындар тізімінен табылмады: қаланың, ауылдың немесе өткізу пунктінің атауын кез келген тілде жазыңыз.
field-error-coordinates-invalid-value = Координаттар: ендік ±90, бойлық ±180 шегінде.
linkage-level-day-and-month-swapped = күн мен ай ауысқан
linkage-level-different = басқаша
linkage-level-missing = дерек жоқ
linkage-level-one-edit-apart = бір белгіге өзгеше
linkage-level-one-of-day-month-differs = күні не айы өзгеше
linkage-level-same-last-7-digits = соңғы 7 цифры бірдей
linkage-level-same-locality-or-postcode = елді мекені не индексі бірдей
linkage-level-same-name-group-or-one-typo-apart = есімі бірдей не бір қате
linkage-level-same-region-only = тек облысы бірдей
linkage-level-same-street-address-and-area = мекенжайы бірдей
linkage-level-same = бірдей
linkage-level-similar-street-or-same-locality-and-postcode = көшесі ұқсас не елді мекені мен индексі бірдей
linkage-level-similar = ұқсас
linkage-level-very-similar = өте ұқсас
linkage-level-year-off-by-one = жылы бірге өзгеше

public-stats-title = Статистика: адамдар мен орындар
public-stats-release = { $at } шығарылымы; сандар бірнеше сағат сайын жаңартылады, нақты уақытта емес.
public-stats-suppressed = { $threshold } адамнан аз ұяшықтар жасырылған (—), ешкімді тануға болмас үшін.
public-stats-csv = CSV жүктеу
public-stats-json = JSON деректері
public-stats-beds = Қалалар бойынша орындар
public-stats-by-city = Қала мен топ бойынша адамдар
public-stats-by-age = Жас пен жыныс бойынша адамдар
public-stats-city = Қала
public-stats-age = Жасы
public-stats-capacity = Барлық орын
public-stats-in-use = Бос емес
public-stats-free = Бос
public-stats-total = Барлығы
public-stats-unconfirmed = орны нақтыланбаған

## Unconfirmed places
nav-places = Орындар
places-title = Расталмаған орындар
places-intro = Ұйымыңыздың жазбаларындағы бұл қала атаулары орындар тізімінде жоқ. Қай орын екенін көрсетіңіз: осы атаумен барлық жазбалар (және жаңалары) соған жатқызылады, ал жиынтықтарда бұл бір қала болады.
places-none = Барлық орындар расталған.
places-name = Жазылғандай
places-records = Жазбалар
places-map-to = Бұл орын
places-map = Сәйкестендіру
places-not-found = Осы елдің мұндай елді мекені орындар тізімінде жоқ. Ұсыныстардан таңдаңыз.
places-mapped = { $count ->
   *[other] { $count } жазба сәйкестендірілді.
}
places-unconfirmed = расталмаған

## Self pre-registration (public) and opening it at the desk
pre-register-title = Алдын ала тіркелу
pre-register-intro = Кезекте күтіп тұрғанда отбасыңызды осында жазыңыз. Сіз қысқа код аласыз: оны тіркеу үстеліне көрсетіңіз, сонда бәрін қайта айтып берудің қажеті болмайды. Деректерді тек тіркеушілер көреді; расталмаған жазба 72 сағаттан кейін жойылады.
pre-register-contact = Қайдасыз және сізбен қалай байланысуға болады
pre-register-notes = Тіркеушіге тағы не білу керек (міндетті емес)
pre-register-consent = Форманы жіберу арқылы сіз тіркеушілердің осы деректерді көруіне келісесіз. Құжаттар үстел басында тексеріледі.
pre-register-submit = Код алу
pre-register-honeypot = Бұл өрісті толтырмаңыз
pre-register-done = Алдын ала тіркелу кодыңыз
pre-register-done-hint = Экранды суретке түсіріңіз немесе кодты жазып алып, тіркеу үстеліне көрсетіңіз. Код { $count } сағат жарамды.
pre-register-desk-code = Тіркеу үстелінің бүгінгі коды
pre-register-desk-code-hint = Алты сан: оны үстел жанында көрсетеді, код күн сайын өзгереді.
pre-registrations-desk-code = Кезекке арналған бүгінгі код (кезектегілерге көрсетіңіз):
field-error-desk-code-invalid-value = Бұл бүгінгі код емес: тіркеу үстелінен сұраңыз.
pre-register-limited = Бұл мекенжайдан өтінім тым көп. Кейінірек қайталаңыз немесе тіркеу үстеліне барыңыз.
pre-registrations-title = Алдын ала тіркелуді ашу
pre-registrations-code = Код
pre-registrations-code-hint = Кодты енгізіңіз немесе отбасының телефонындағы QR-кодты сканерлеңіз.
pre-registrations-open = Ашу
pre-registrations-not-found = Мұндай кодпен алдын ала тіркелу табылмады (немесе мерзімі өтті).
pre-registrations-pending = { $count ->
    [0] Күтудегі алдын ала тіркелу жоқ
    [one] { $count } алдын ала тіркелу күтуде
   *[other] { $count } алдын ала тіркелу күтуде
}
pre-registrations-purged = { $count ->
    [one] { $count } алдын ала тіркелу жойылды.
   *[other] { $count } алдын ала тіркелу жойылды.
}
pre-registrations-members = Адам
reception-pre-registered = Алдын ала тіркелу: құжаттар мен деректерді тексеріп, сақтаңыз.
reception-pre-registrations-link = Алдын ала тіркелуді код бойынша ашу
nav-host-offers = Тұрғын үй ұсыныстары
offer-title = Тұрғын үй ұсыну
offer-intro = Түнейтін жері жоқ адамдарға бос төсек, бөлме немесе пәтеріңіз болса, осында сипаттаңыз. Біреуді жібермес бұрын үйлестіруші сізге қоңырау шалып, ұсынысты тексереді. Мекенжайыңыз бен телефоныңызды тек ұйымның үйлестірушілері мен диспетчерлері көреді.
offer-where = Қайда
offer-city = Елді мекен
offer-city-hint = Тізімдегі қала немесе ауыл, мысалы «Орал» немесе «Бішкек».
offer-address = Мекенжай
offer-what = Не ұсынасыз
offer-people = Неше адам
offer-from = Қай күннен (КК.АА.ЖЖЖЖ)
offer-until = Қай күнге дейін (міндетті емес)
offer-dates-hint = Аяқталу күнісіз: үйлестірушімен басқаша келіскенге дейін.
offer-families = Отбасы
offer-women-only = Тек әйелдер (балаларымен)
offer-children = Балалармен болады
offer-step-free = Баспалдақсыз (арба үшін)
offer-rent = Төлем
enum-rent-free = тегін
enum-rent-rent = ақылы
offer-contact = Сізбен қалай байланысуға болады
offer-contact-name = Атыңыз
offer-notes = Тағы не білу маңызды (міндетті емес)
offer-consent = Форманы жіберу арқылы сіз ұйымның үйлестірушілері мен диспетчерлері осы деректерді көріп, сізге қоңырау шалатынына келісесіз.
offer-submit = Ұсыну
offer-done = Рақмет! Ұсынысты тексеру үшін үйлестіруші сізге қоңырау шалады.
offer-withdraw-hint = Бұл сілтемені сақтаңыз: ол арқылы ұсынысты кері қайтара аласыз. Ол бір рет қана көрсетіледі.
offer-withdraw-link = Ұсынысты кері қайтару сілтемесі
offer-limited = Бұл мекенжайдан немесе бұл жер үшін ұсыныстар тым көп. Кейінірек қайталаңыз.
offer-withdraw-title = Ұсынысты кері қайтару
offer-withdraw-unknown = Сілтеме жарамсыз немесе ұсыныс бұрын кері қайтарылған.
offer-withdraw-ask = Ұсынысты кері қайтарасыз ба? Сізге жаңа адамдар жіберілмейді.
offer-withdraw-submit = Кері қайтару
offer-withdrawn = Ұсыныс кері қайтарылды. Көмегіңізге рақмет.
host-offers-title = Тұрғын үй ұсыныстары
host-offers-intro = Жергілікті тұрғындардың ашық беттегі ұсыныстары. Растамас бұрын қоңырау шалыңыз немесе барып көріңіз: расталған ұсыныс орналастыру орнына (жеке тұрғын үй) айналады.
host-offers-purged = { $count ->
    [one] { $count } ұсыныс жойылды.
   *[other] { $count } ұсыныс жойылды.
}
enum-host-offer-status-pending = тексеруді күтуде
enum-host-offer-status-verified = расталды
enum-host-offer-status-rejected = қабылданбады
enum-host-offer-status-withdrawn = кері қайтарылды
host-offers-none = Ұсыныстар жоқ.
host-offers-choose = Таңдау
host-offers-dates = Мерзімі
host-offers-accepts = Кімді қабылдайды
host-offers-purge = Таңдалғандарды жою (спам)
host-offer-title = Тұрғын үй ұсынысы
host-offers-received = Алынды
host-offers-decided = Шешім қабылданды
host-offers-note = Тексеру туралы жазба
host-offers-note-hint = Қалай тексерілді: қоңырау, бару. Тек үйлестірушілер мен диспетчерлер көреді.
host-offers-site = Орналастыру орны
host-offers-open-site = Орынды ашу
host-offers-verify = Растау: тексерілді
host-offers-reject = Қабылдамау
poster-title = Плакат
poster-link = Алдын ала тіркелудің QR-коды бар плакат
poster-print-hint = Бұл бетті A4 парағына басып шығарып, адамдар күтетін жерге іліңіз.
poster-page-off = Бұл серверде алдын ала тіркелу беті өшірулі: QR-код ешқайда апармайды.
poster-call = Кезекте күтіп тұрсыз ба? Кодты сканерлеп, отбасыңызды алдын ала жазыңыз.
field-error-location-invalid-value = Тізімнен елді мекенді таңдаңыз.
