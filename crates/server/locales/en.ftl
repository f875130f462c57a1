# Shanyrak — English interface. Keys match ru.ftl; a test checks none is missing.

## Common

common-required = required
common-yes = yes
common-no = no
common-save = Save
common-cancel = Cancel
common-actions = Actions
common-households = { $count ->
    [one] { $count } household
   *[other] { $count } households
}
common-people = { $count ->
    [one] { $count } person
   *[other] { $count } people
}

## Navigation and language

nav-label = Sections
nav-skip = Skip to content
nav-reception = Reception
nav-find = Find
nav-sites = Sites
nav-dispatch = Dispatch
nav-duplicates = Duplicates
nav-dashboard = Dashboard
nav-logout = Sign out
nav-signed-in-as = Signed in as
enum-role-admin = administrator
enum-role-registrar = registrar
enum-role-site-manager = site manager
enum-role-dispatcher = dispatcher
enum-role-distributor = distributor
enum-role-caseworker = caseworker
enum-role-analyst = analyst
enum-role-auditor = auditor
lang-label = Language
lang-apply = Choose

## Sign in

login-title = Sign in
login-email = E-mail
login-password = Password
login-submit = Sign in
login-failed = Wrong e-mail or password.
login-locked = Too many failed attempts. The account is locked for a while; try again later.
login-busy = The server is checking many sign-ins right now. Wait a few seconds and try again.

## Errors

error-title = That did not work
error-back = Back to the start
error-csrf = The form is out of date or was not sent from this page. Open the page again and retry.
error-unauthorized = Please sign in.
error-forbidden = Your role may not do this.
error-not-found = Not found.
error-invalid = Not accepted: please check the fields.
error-conflict = Someone else changed this record meanwhile. Open it again.
error-admission = These beds cannot be taken (no room, or the site's rules do not allow it).
error-too-many = Too many attempts. Please wait a little.
error-busy = The server is busy with heavy work (such as a placement run). Try again in a minute, or take one city.
error-starting = The server has just started and is still loading the registry for the duplicate check. Nothing was saved. Try again in a few seconds.
error-internal = Internal error. Nothing was lost; please try again.

## Fields

field-name = Name
field-surname = Surname
field-given-name = Given name
field-patronymic = Patronymic
field-sex = Sex
field-birth-date = Date of birth
field-birth-date-hint = DD.MM.YYYY or YYYY-MM-DD; only the year (YYYY) if that is all that is known
field-birth-date-estimated = Date is an estimate
field-birth-date-estimated-short = estimated
field-relationship = Relationship to the head
field-citizenship = Citizenship
field-document-type = Document
field-document-number = Document number
field-document-number-hint = The format depends on the document; spaces and hyphens are optional.
field-vulnerabilities = Vulnerabilities
field-group = Population group
field-arrival-date = Arrival date
field-crossing-point = Crossing point
field-country = Country
field-region = Region
field-city = City / settlement
field-current-place = Where they are now, if not in the city yet (town or border post)
field-phone = Phone
field-languages = Languages
field-needs = Needs
field-accepts-sex-separation = Agree that men and women may sleep in separate rooms
field-accepts-several-rooms = A large family agrees to take several rooms of the same place
field-legal-basis = Legal basis
field-information-given = The person was told what is recorded, why, and who will see it
field-information-given-hint = Required when the basis is consent.
field-notes = Notes
field-notes-hint = Only what is needed to help. No diagnoses, no data about other people.
field-reference = Code
field-status = Status
field-site = Site

field-error-required = Please fill this in.
field-error-empty = This cannot be empty.
field-error-too-long = Too long.
field-error-too-many = Too many values.
field-error-control-character = Contains characters that are not allowed.
field-error-invalid-format = Wrong format.
field-error-invalid-date = Date not recognised: type DD.MM.YYYY.
field-error-no-such-date = There is no such day: check the day and the month.
field-error-date-in-future = This date has not come yet.
field-error-date-implausible = This date is implausible.
field-error-unknown-country = Unknown country.
field-error-invalid-phone = Phone number not recognised.
field-error-invalid-document-number = The number does not fit the document's format.
field-error-document-checksum = The number has a typo: its check digit does not match.
field-error-document-birth-date-mismatch = The date of birth in the number (IIN, PIN) differs from the one typed.
field-error-document-sex-mismatch = The sex in the number (IIN, PIN) differs from the one chosen.
field-error-document-country-mismatch = This country does not issue this document.
field-error-duplicate = This value is repeated.
field-error-no-head = Mark one member as the head of household.
field-error-several-heads = Only one member can be the head of household.
field-error-unknown-member = No such member.
field-error-read-only = This cannot be changed.
field-error-invalid-type = Invalid value.
field-error-unknown-field = Unknown field.
field-error-invalid-value = Value not allowed.
field-error-information-given-invalid-value = Consent needs the person to be told first what is recorded and why; tick this.

## Values

enum-sex-female = female
enum-sex-male = male
enum-sex-unknown = not stated
enum-group-arrival = arrived from abroad
enum-group-idp = internally displaced
enum-group-returnee = returnee
enum-group-host-community = host community
enum-need-shelter = shelter
enum-need-food = food
enum-need-medical = medical care
enum-need-legal = legal help
enum-need-onward-travel = onward travel
enum-need-other = other
enum-relationship-head = head
enum-relationship-spouse = spouse
enum-relationship-child = child
enum-relationship-parent = parent
enum-relationship-sibling = sibling
enum-relationship-grandchild = grandchild
enum-relationship-grandparent = grandparent
enum-relationship-other-relative = other relative
enum-relationship-non-relative = not related
enum-vulnerability-child = child
enum-vulnerability-unaccompanied-minor = unaccompanied minor
enum-vulnerability-older-person = older person
enum-vulnerability-disability = disability
enum-vulnerability-medical = medical needs
enum-vulnerability-pregnant = pregnant
enum-vulnerability-single-caregiver = single caregiver
enum-vulnerability-protection-risk = protection risk
enum-legal-basis-consent = consent
enum-legal-basis-vital-interest = vital interest
enum-legal-basis-public-interest = public interest
enum-status-active = active
enum-status-moved-on = moved on
enum-status-closed = closed
enum-document-ru-internal-passport = Russian internal passport
enum-document-ru-international-passport = Russian international passport
enum-document-kz-id = Kazakh ID / passport (IIN)
enum-document-kg-id = Kyrgyz ID card (PIN)
enum-document-passport-other = other passport
enum-document-birth-certificate = birth certificate
enum-document-none = no document
enum-pool-male-dorm = men's dormitory
enum-pool-female-dorm = women's dormitory
enum-pool-family-room = family rooms
enum-pool-mixed = mixed hall
enum-site-kind-sports-hall = sports hall
enum-site-kind-mosque = mosque
enum-site-kind-cinema = cinema
enum-site-kind-school = school
enum-site-kind-dormitory = dormitory
enum-site-kind-hostel = hostel
enum-site-kind-hotel = hotel
enum-site-kind-private-accommodation = private accommodation
enum-site-kind-other = other
enum-site-status-open = open
enum-site-status-full = full
enum-site-status-closed = closed
enum-site-kind-group-collective = collective shelter
enum-site-kind-group-commercial = hostel or hotel
enum-site-kind-group-private = private home
enum-stay-reserved = reserved
enum-stay-checked-in = checked in
enum-stay-checked-out = checked out
enum-stay-cancelled = cancelled
enum-stay-expired = reservation expired

country-ru = Russia
country-kz = Kazakhstan
country-kg = Kyrgyzstan
country-uz = Uzbekistan
country-tj = Tajikistan
country-by = Belarus
country-ua = Ukraine
country-am = Armenia
country-az = Azerbaijan
country-ge = Georgia

linkage-field-surname = surname
linkage-field-given-name = given name
linkage-field-patronymic = patronymic
linkage-field-birth-date = date of birth
linkage-field-document = document
linkage-field-phone = phone
linkage-field-sex = sex
linkage-field-citizenship = citizenship
linkage-field-address = address

## Reception

reception-title = Reception: new registration
reception-household = Household
reception-members = Members
reception-member-title = Person { $number }
reception-add-member = Add a person
reception-remove-member = Remove this person
reception-check = Check for duplicates
reception-save = Register
reception-more = More details
reception-errors = { $count ->
    [one] Please correct { $count } error.
   *[other] Please correct { $count } errors.
}
reception-no-duplicates = No similar records found.
reception-already-saved = This form was already saved. Check the details and save them as a new registration.
reception-duplicates-title = Possibly registered already:
reception-duplicates-open = open
reception-duplicates-partner = A partner organisation has a similar record.
reception-duplicates-probability = { $percent } % match
reception-duplicates-agree = agrees:
reception-duplicates-disagree = differs:
reception-duplicates-new = A different person: register separately
reception-decide-duplicates = { $count ->
    [one] { $count } person may be registered already. Say whether it is the same person or a different one, then save again.
   *[other] { $count } people may be registered already. Say for each whether it is the same person or a different one, then save again.
}
reception-duplicates-decide = Choose: the same person, or a different one.

## Card

card-title = Household card
card-registered = Registered.
card-attached = { $count ->
    [one] { $count } person linked to an existing record.
   *[other] { $count } people linked to existing records.
}
card-qr = QR code of the household code
card-keep = Keep this code: shelters and distribution points find you with it.
card-open = Open the record
card-next = Next registration

## Find

find-title = Find
find-label = Name, document number, phone or code
find-hint = Names in Cyrillic or Latin letters, in any order.
find-submit = Find
find-results = { $count ->
    [one] { $count } person found
   *[other] { $count } people found
}
find-none = Nobody found. Try another spelling or a document number.
find-invalid = Type 1 to 200 characters.

## Household

household-title = Household
household-card = Card and QR code
household-edit = Edit
household-save = Save changes
household-registered = Registered
household-stays = Shelter
household-no-stays = No stays yet.
household-stay-from = From
household-stay-to = To
household-reserved-until = reserved until
household-audit = Change history
household-audit-when = When
household-audit-who = Who
household-audit-what = What
rights-column = Their data
rights-data-link = What we hold
rights-erase-link = Erase…
rights-back = Back to the household
rights-data-title = What we hold about this person
rights-data-intro = Everything recorded about the person, as of
rights-data-download = Download the file to hand over (JSON)
rights-data-reads = Who read the record
rights-data-purpose = Purpose
rights-data-changes = Changes to the record
rights-data-stays = Shelter stays
rights-data-received = Items received
rights-data-cases = Cases
rights-data-cases-withheld = (not shown: { $count }, for caseworkers only)
rights-data-referrals = Referrals
rights-data-agreements = Data-sharing agreements of the organisation
rights-erase-title = Erase this person's data
rights-erase-warning = Erasure cannot be undone. Names, documents, day and month of birth, vulnerabilities, case notes and the copies in the change history are removed; the person stays only as an anonymous count. Do it only on the person's own request.
rights-erase-reason = Reason
rights-erase-reason-hint = Kept in the audit log after the data is gone: do not name the person. At most 500 characters.
rights-erase-confirm = Erase for good
rights-erased-title = Data erased
rights-erased-done = The person's data has been erased. The person still counts, anonymously.
rights-erased-audit = Change-history entries erased
rights-erased-review = Duplicate-review pairs removed
rights-erased-imports = Import rows and files removed
rights-erased-household = Household anonymised (no other member)
household-changed-meanwhile = Someone else changed this record while you were editing. Open it again and make your changes once more.

## Sites

sites-title = Sites
sites-none = No sites yet.
sites-cities = Cities
sites-choose-city = Choose a city to see its sites.
sites-time-zone = Times here are in { $zone } (now { $now }).
sites-count = { $count ->
    [one] { $count } site
   *[other] { $count } sites
}
sites-no-pools = No beds.
sites-others = Other sites
sites-others-hint = Names and addresses are shown only to those who place people there.
sites-kind-group = Kind
sites-free-beds = Free beds
sites-pool-kind = Room
sites-occupancy = Occupancy
sites-occupied = occupied
sites-reserved = reserved
sites-free = free
sites-bar-label = { $capacity } beds: { $occupied } occupied, { $reserved } reserved, { $free } free
sites-room-size = { $count ->
    [one] { $count } bed
   *[other] { $count } beds
}
sites-check-in = Check in
sites-reference = Household code
sites-reference-hint = From the card; hyphens optional, Cyrillic or Latin letters.
sites-check-in-submit = Check in
sites-scan = Scan QR
sites-beds = Beds
sites-edit-beds = Edit beds
sites-beds-total = Total
sites-beds-blocked = Out of service
sites-beds-step-free = Step-free
sites-beds-transitory = One-night
sites-residents = Residents and expected arrivals
sites-no-residents = Nobody.
sites-nights = Nights
sites-overdue = not seen lately
sites-max-nights = stay limit reached
sites-seen = Mark as present
sites-check-out = Check out
sites-cancel = Cancel reservation
sites-persons = People
sites-done-checked-in = Checked in.
sites-done-checked-out = Checked out.
sites-done-cancelled = Reservation cancelled.
sites-done-seen = Marked.
sites-done-pool-saved = Beds saved.
sites-done-no-reservation = No reservation here for this code.
sites-done-unknown-reference = Code not recognised: check the characters.
sites-walk-in-intro = There is no reservation here for this code. Check in without one:
sites-walk-in-full = No free beds.
sites-walk-in-pool = { $pool }: { $free } free
sites-walk-in-back = Back to the site
sites-done-walk-in-refused = Could not check in there: not enough beds, or the room does not suit this household. Choose another.

## Dispatch

dispatch-title = Dispatch
dispatch-propose = Propose placements
dispatch-all-cities = All cities
dispatch-max-travel = At most, km
dispatch-propose-submit = Propose
dispatch-waiting = Waiting for a bed
dispatch-nobody-waiting = Nobody is waiting for a bed.
dispatch-priority = Priority
dispatch-waiting-days = Days waiting
dispatch-composition = { $persons }: { $men } men, { $women } women, { $children } children
dispatch-batch-title = Placement proposals
dispatch-proposals = Proposals
dispatch-no-proposals = Nobody could be placed.
dispatch-reason = Why
dispatch-decision = Decision
dispatch-accept = Accept
dispatch-reject = Reject
dispatch-later = Later
dispatch-reject-reason = Reason for rejecting
dispatch-override = Other room
dispatch-as-proposed = as proposed
dispatch-decide-submit = Apply decisions
dispatch-unplaced = Not placed
dispatch-all-placed = Everyone was placed.
dispatch-unknown-household = household
dispatch-back = Back to the waiting list
dispatch-back-to-batch = Back to the proposals
dispatch-results = Result
dispatch-all-done = Decisions applied.
dispatch-failed = { $count ->
    [one] { $count } decision could not be applied.
   *[other] { $count } decisions could not be applied.
}
dispatch-in-city = in their own city
dispatch-travel = { $km } km from their city
dispatch-travel-from-here = { $km } km from where they are now
dispatch-better-unavailable = { $count ->
    [one] { $count } better option was taken
   *[other] { $count } better options were taken
}
dispatch-decided-accepted = accepted
dispatch-decided-rejected = rejected
dispatch-decided-failed = failed
dispatch-outcome-accepted = accepted, beds reserved
dispatch-outcome-rejected = rejected
dispatch-outcome-failed = failed
dispatch-failure-already-decided = already decided
dispatch-failure-not-found = not found
dispatch-failure-invalid = invalid data
dispatch-failure-not-in-proposal = not in the proposal
dispatch-failure-household-changed = the household changed
dispatch-failure-site-closed = the site is closed
dispatch-failure-no-occupants = nobody to place
dispatch-failure-no-capacity = no beds left
dispatch-failure-no-room-free = no free room
dispatch-failure-room-too-small = room too small
dispatch-failure-no-step-free-bed = no step-free bed
dispatch-failure-child-in-male-dorm = child in a men's dormitory
dispatch-failure-children-not-allowed = children not allowed
dispatch-failure-wrong-sex-for-pool = room is for the other sex
dispatch-failure-transitory-needs-one-night = one-night beds are for one night only
dispatch-failure-already-housed = already housed
dispatch-failure-invalid-transition = not possible in this state
arrangement-family-room = own family room
arrangement-mixed-dorm = together in a mixed hall
arrangement-single-sex-dorm = in a dormitory of their sex
arrangement-separated-by-sex = men and women separately (agreed)
arrangement-family-rooms = several family rooms of one site (with consent)
choice-least-contested-beds = beds others need least
choice-leftover-beds = leftover beds
choice-first-come-first-served = first free bed
unplaced-no-site-in-reach = no site in the city or within the travel limit
unplaced-stay-too-long = sites do not take them for long enough
unplaced-children-not-allowed = sites do not take children
unplaced-sex-separation-refused = only separate rooms are free and the family did not agree to separate
unplaced-child-without-adult = children without an adult of their household: a child is never placed alone
unplaced-no-family-room-large-enough = no family room large enough
unplaced-no-suitable-pool = no suitable room
unplaced-no-step-free-bed = not enough step-free beds
unplaced-no-pool-large-enough = nowhere has that many beds at once
unplaced-capacity-taken-by-higher-priority = beds went to people who needed them more

## Duplicates

duplicates-title = Possible duplicates
duplicates-filter = Show
duplicates-status-pending = waiting for a decision
duplicates-status-same = same person
duplicates-status-different = different people
duplicates-none = No pairs.
duplicates-first = First record
duplicates-second = Second record
duplicates-probability = Match
duplicates-pair = Compare records
duplicates-evidence = Evidence
duplicates-field = Field
duplicates-comparison = Comparison
duplicates-weight = Weight
duplicates-same = Same person
duplicates-different = Different people
duplicates-undo = Undo the decision
duplicates-back = Back to the list

## Dashboard

dashboard-title = Dashboard
dashboard-as-of = Figures as of
dashboard-freshness = New registrations, placements and distributions are added at once, other changes at the next refresh; beds are live.
dashboard-persons = people registered
dashboard-arrived-days = { $count ->
    [one] arrived in { $count } day
   *[other] arrived in { $count } days
}
dashboard-waiting = { $count ->
    [one] waiting for a bed (in { $count } household)
   *[other] waiting for a bed (in { $count } households)
}
dashboard-occupied = beds occupied
dashboard-free = beds free
dashboard-arrivals = Arrivals per day by crossing point
dashboard-crossing-unknown = crossing not recorded
dashboard-as-table = As a table
dashboard-waiting-vs-free = Waiting and free beds by city
dashboard-waiting-people = waiting for a bed
dashboard-no-cities = No figures yet.
dashboard-beds-by-city = Beds by city

## Distribution

nav-distribute = Distribute
distribute-title = Distribution
distribute-point = Distribution point
distribute-unknown-household = No household with this code.
distribute-no-points = Your organisation has no distribution points.
distribute-open = Open
distribute-item = Item
distribute-entitled = Entitled now
distribute-quantity = Give
distribute-unlimited = not limited
distribute-remaining = { $remaining } of { $allowed } left
distribute-again-on = again from
distribute-override-reason = Reason for giving more than the entitlement
distribute-override-hint = Only needed when giving more than the entitlement; it is audited.
distribute-submit = Record distribution
distribute-fill = Everything they are owed
distribute-plus-one = One more: { $item }
distribute-over-item = { $item }: giving { $asked }, { $remaining } still owed
distribute-recent = Received lately
distribute-nothing-yet = Nothing received yet.
distribute-partner = at a partner organisation
distribute-other-household = with another household
distribute-done = Distribution recorded.
distribute-give = Give essentials
distribute-reason-not-in-group = the rule is for another population group
distribute-reason-condition = the rule's condition is not met
distribute-reason-received = already received
distribute-reason-received-elsewhere = received with another household
field-error-override-reason-required = This is more than the entitlement: give a reason.
field-error-stock-invalid-value = The point does not hold enough of this item.
field-error-lines-invalid-value = Quantities are whole numbers.
field-error-submission-duplicate = This distribution was already recorded. Check the receipts below.

## Import

reception-import-link = Import a list (CSV, XLSX)
reception-correcting = Correcting an imported row: once registered it leaves the quarantine.

# The offline outbox on the reception page.
outbox-title = Waiting to be sent
outbox-waiting = waiting:
outbox-sent = sent:
outbox-decide = need a decision:
outbox-send = Send now
outbox-saved = Saved on this phone. It will be sent when the connection returns.
outbox-offline = No connection: registrations are kept on this phone and sent later.
outbox-offline-check = No connection: possible duplicates are checked when the registration is sent.
outbox-no-key = This phone cannot keep registrations yet: open this page once while connected.
outbox-sign-in = Sign in to send the registrations kept on this phone.
outbox-sending = Sending…
outbox-failed = Not sent yet: will try again.
outbox-held = needs a decision: possibly registered already
outbox-invalid = has mistakes to correct
outbox-review = Review
outbox-done = registered
import-title = Import a list
import-intro = Upload the spreadsheet you already keep: CSV with any delimiter (UTF-8 or Windows-1251) or XLSX. Columns are recognised by their headers; every row is checked like a registration; rows with mistakes wait in the quarantine with their reasons.
import-file = File
import-file-hint = Up to 50 MB. The same file twice creates nothing.
import-default-country = Country for rows without one
import-default-city = City for rows without one
import-upload = Upload and check
import-quarantine = Import quarantine
import-quarantine-empty = No rows are waiting for correction.
import-line = Line
import-reasons = Reasons
import-correct = Correct
import-rows-read = rows read
import-households-created = households created
import-persons-created = people created
import-attached = imported before
import-sent-to-review = sent to duplicate review
import-quarantined = rows quarantined
import-unreadable = The file could not be read.
import-refused-rows = The file was refused: the list has more than { $max } rows. Split it into parts.
import-refused-columns = The file was refused: a value stands past column { $max }.
import-refused-cells = The file was refused: the list has more than { $max } cells holding a value.
import-refused-text = The file was refused: the cells hold more than { $max } bytes of text.
import-refused-cell = The file was refused: a cell holds more than { $max } characters.
import-refused-line = The file was refused: a line is longer than { $max } bytes.
import-refused-unpacked = The file was refused: the workbook unpacks to more than { $max } bytes, or to more than it declares.
import-refused-parts = The file was refused: the workbook has more than { $max } parts.
import-refused-dimensions = The file was refused: the sheet declares a size past the limits (more than { $max } rows, or too many columns).
import-refused-encoding = The file was refused: line { $line } holds bytes that are not text. It looks like UTF-8 damaged on the way; save it again as UTF-8 or Windows-1251.
import-refused-xml = The file was refused: the workbook holds XML that spreadsheet programs do not write (a DTD or entity references).
import-refused-time = The file was refused: reading it took more than { $max } s.
import-refused-empty = The file was refused: it has no header row.
import-refused-no-name-column = The file was refused: no column holds names. It needs a "Surname" or "Full name" column.
import-refused-limit-hint = This is the server's limit for one import; split the list into several files or ask the administrator to change the limit.
import-busy = Other lists are being read right now. Try again in a minute.
import-more-problems = { $count ->
    [one] and { $count } more problem
   *[other] and { $count } more problems
}
import-again = Upload another file
import-preview = Check before importing
import-columns = Columns
import-left-out = not used
import-would = What will happen
import-problems = Problems by line
import-confirm = Import
import-done = Import finished
import-field-household = household (grouping)
import-field-full-name = full name
import-field-surname = surname
import-field-given-name = given name
import-field-patronymic = patronymic
import-field-sex = sex
import-field-birth-date = date of birth
import-field-citizenship = citizenship
import-field-relationship = relationship
import-field-iin = IIN
import-field-pin = PIN
import-field-passport = passport
import-field-phone = phone
import-field-country = country
import-field-region = region
import-field-city = city
import-field-arrival-date = arrival date
import-field-crossing-point = crossing point
import-field-group = population group
import-field-notes = notes
import-field-ignore = not used
dispatch-filter-submit = Show
dispatch-pages = Pages of the waiting list
dispatch-page-previous = ← More urgent
dispatch-page-next = Next →
dispatch-page-of = page { $page } of { $pages }
dispatch-find-sites = Other sites: name or town
dispatch-find-submit = Find
dispatch-found-pools = { $count ->
    [0] Nothing found
    [one] { $count } bed pool found: it is in every row's "Other room" list
   *[other] { $count } bed pools found: they are in every row's "Other room" list
}
dispatch-nearby-pools = Nearby, with room
dispatch-found-pools-group = Found by search
dispatch-pool-free = { $free } free
dispatch-more-unplaced = { $count ->
    [one] and { $count } more household
   *[other] and { $count } more households
}
dispatch-accept-rest = Also accept the other proposals ({ $count })

## Casework

nav-cases = Cases
cases-title = Casework
cases-list = Cases
cases-none = None.
cases-open-hint = A new case is opened from the household's page.
cases-open-case = Open a case
cases-open-actions = { $count ->
    [one] { $count } planned action
   *[other] { $count } planned actions
}
cases-received = Referrals received
cases-overdue-sent = Referrals sent, unanswered in time
cases-legal-stay = Stay and registration deadlines (14 days)
cases-legal-stay-hint = The deadline rules are examples; check them against current law.
cases-days-left = Days left
cases-next-deadline = Next deadline
cases-overstayed = stay exceeded
cases-registration-overdue = registration overdue
cases-case = Case
cases-assessment = Vulnerability assessment
cases-severity = Severity
cases-add = Add
cases-plan = Case plan
cases-action = Action
cases-due = Due
cases-mark-done = Done
cases-appointments = Appointments
cases-date = Date
cases-purpose = Purpose
cases-place = Place
cases-notes = Case notes
cases-notes-hint = Visible only to your organisation's caseworkers.
cases-note = New note
cases-referrals = Referrals
cases-service = Service
cases-to = To
cases-from = From
cases-sent = Sent
cases-overdue = unanswered in time
cases-consent-by = Consent given by
cases-consent-fields = What may be shared
cases-send-referral = Send referral
cases-reason = Reason
cases-outcome = Outcome
cases-referral = Referral
cases-shared = Shared information
cases-reason-or-outcome = Reason for declining, or outcome
cases-accept = Accept
cases-decline = Decline
cases-in-progress = In progress
cases-close = Close
cases-back = Back to cases
enum-case-open = open
enum-case-on-hold = on hold
enum-case-closed = closed
enum-severity-low = low
enum-severity-medium = medium
enum-severity-high = high
enum-severity-critical = critical
enum-action-planned = planned
enum-action-done = done
enum-action-cancelled = cancelled
enum-service-legal-aid = legal aid
enum-service-medical = medical care
enum-service-psychosocial = psychosocial support
enum-service-shelter = shelter
enum-service-onward-travel = onward travel
enum-service-work-programme = work programme
enum-service-resettlement = resettlement
enum-referral-sent = sent
enum-referral-accepted = accepted
enum-referral-declined = declined
enum-referral-in-progress = in progress
enum-referral-closed = closed
enum-shareable-surname = surname
enum-shareable-given-name = given name
enum-shareable-patronymic = patronymic
enum-shareable-sex = sex
enum-shareable-birth-date = date of birth
enum-shareable-citizenship = citizenship
enum-shareable-documents = documents
enum-shareable-vulnerabilities = vulnerabilities
enum-shareable-phone = phone
enum-shareable-languages = languages
enum-shareable-location = location
enum-shareable-arrival-date = arrival date
enum-shareable-needs = needs
enum-shareable-household-size = household size
nav-resettlement = Resettlement
resettle-title = Resettlement programmes
resettle-none = No programmes yet.
resettle-new = New programme
resettle-field-name = Name
resettle-field-country = Receiving country
resettle-field-country-hint = Two-letter code, e.g. DE
resettle-field-quota = Places (people)
resettle-criteria = Who it takes
resettle-criteria-hint = Leave a condition empty to accept everyone on it; every condition given must hold.
resettle-field-citizenships = Citizenship of the head of household
resettle-field-citizenships-hint = Two-letter codes separated by commas, e.g. RU, BY
resettle-field-groups = Population groups
resettle-field-max-size = At most this many people in the household
resettle-field-vulnerabilities = At least one member with one of these
resettle-field-conscription = Conscription risk
resettle-field-conscription-hint = At least one man of this age (of the citizenships above, if given).
resettle-field-age-from = Age from
resettle-field-age-to = Age to
resettle-create = Create the programme
resettle-quota = quota (people)
resettle-used = places used
resettle-remaining = places left
resettle-propose = Propose households by priority
resettle-entries = Households in the programme
enum-pipeline-proposed = proposed
enum-pipeline-submitted = submitted
enum-pipeline-accepted = accepted
enum-pipeline-rejected = rejected
enum-pipeline-departed = departed
enum-pipeline-withdrawn = withdrawn
field-error-place-id-invalid-value = Not found in the place list: type the name of the town, village or border post, in any script.
field-error-coordinates-invalid-value = Coordinates must be a latitude within ±90 and a longitude within ±180.
linkage-level-day-and-month-swapped = day and month swapped
linkage-level-different = different
linkage-level-missing = missing
linkage-level-one-edit-apart = one character apart
linkage-level-one-of-day-month-differs = day or month differs
linkage-level-same-last-7-digits = same last 7 digits
linkage-level-same-locality-or-postcode = same locality or postcode
linkage-level-same-name-group-or-one-typo-apart = same name or one typo apart
linkage-level-same-region-only = same region only
linkage-level-same-street-address-and-area = same street address and area
linkage-level-same = same
linkage-level-similar-street-or-same-locality-and-postcode = similar street, or same locality and postcode
linkage-level-similar = similar
linkage-level-very-similar = very similar
linkage-level-year-off-by-one = year off by one

public-stats-title = Figures: people and beds
public-stats-release = Release of { $at }; the figures are updated every few hours, not live.
public-stats-suppressed = Cells under { $threshold } people are suppressed (—) so that no one can be singled out.
public-stats-csv = Download CSV
public-stats-json = Data as JSON
public-stats-beds = Beds by city
public-stats-by-city = People by city and group
public-stats-by-age = People by age and sex
public-stats-city = City
public-stats-age = Age
public-stats-capacity = Beds
public-stats-in-use = In use
public-stats-free = Free
public-stats-total = Total
public-stats-unconfirmed = place not confirmed

## Unconfirmed places
nav-places = Places
places-title = Unconfirmed places
places-intro = These city names in your organisation's records are not in the place list. Say which place each means: every record with the name (and every new one) is linked to it, and the figures count it as one city.
places-none = Every place is confirmed.
places-name = As typed
places-records = Records
places-map-to = This place
places-map = Map
places-not-found = No settlement of that country by that name is in the place list. Choose one of the suggestions.
places-mapped = { $count ->
    [one] { $count } record linked.
   *[other] { $count } records linked.
}
places-unconfirmed = unconfirmed

## Self pre-registration (public) and opening it at the desk
pre-register-title = Pre-registration
pre-register-intro = While you wait in the queue, enter your family here. You get a short code: show it at the registration desk, and you will not have to dictate everything again. Only registrars see what you enter; an unconfirmed entry is deleted after 72 hours.
pre-register-contact = Where you are and how to reach you
pre-register-notes = Anything else the registrar should know (optional)
pre-register-consent = By sending this form you agree that registrars see these details. Documents are checked at the desk.
pre-register-submit = Get a code
pre-register-honeypot = Leave this field empty
pre-register-done = Your pre-registration code
pre-register-done-hint = Take a screenshot or write the code down and show it at the registration desk. The code is valid for { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}.
pre-register-desk-code = Today's code from the registration desk
pre-register-desk-code-hint = Six digits shown at the desk; the code changes every day.
pre-registrations-desk-code = Today's code for the queue (show it to the people waiting):
field-error-desk-code-invalid-value = That is not today's code: ask at the registration desk.
pre-register-limited = Too many entries from this address. Try again later or go to the registration desk.
pre-registrations-title = Open a pre-registration
pre-registrations-code = Code
pre-registrations-code-hint = Type the code or scan the QR code on the family's phone.
pre-registrations-open = Open
pre-registrations-not-found = No pre-registration with this code (or it has expired).
pre-registrations-pending = { $count ->
    [0] No pre-registrations waiting
    [one] { $count } pre-registration waiting
   *[other] { $count } pre-registrations waiting
}
pre-registrations-purged = { $count ->
    [one] { $count } pre-registration deleted.
   *[other] { $count } pre-registrations deleted.
}
pre-registrations-members = People
reception-pre-registered = Pre-registration: check the documents and details, then save.
reception-pre-registrations-link = Open a pre-registration by code
nav-host-offers = Host offers
offer-title = Offer a bed
offer-intro = If you have a spare bed, room or flat for people who have nowhere to sleep, describe it here. A coordinator will call you and check the offer before sending anyone. Only the organisation's coordinators and dispatchers see your address and phone.
offer-where = Where
offer-city = Town or village
offer-city-hint = A town or village of the list, such as "Oral" or "Bishkek".
offer-address = Address
offer-what = What you offer
offer-people = How many people
offer-from = From (DD.MM.YYYY)
offer-until = Until (optional)
offer-dates-hint = Without an end date: until you agree otherwise with the coordinator.
offer-families = A family
offer-women-only = Women only (with children)
offer-children = Children welcome
offer-step-free = Step-free (wheelchair, pram)
offer-rent = Payment
enum-rent-free = free
enum-rent-rent = for rent
offer-contact = How to reach you
offer-contact-name = Your name
offer-notes = Anything else to know (optional)
offer-consent = By sending this form you agree that the organisation's coordinators and dispatchers see these details and call you.
offer-submit = Offer
offer-done = Thank you! A coordinator will call you to check the offer.
offer-withdraw-hint = Keep this link: with it you can withdraw the offer. It is shown only once.
offer-withdraw-link = Link to withdraw the offer
offer-limited = Too many offers from this address or for this place. Please try again later.
offer-withdraw-title = Withdraw the offer
offer-withdraw-unknown = This link is not valid, or the offer was already withdrawn.
offer-withdraw-ask = Withdraw your offer? Nobody new will be sent to you.
offer-withdraw-submit = Withdraw
offer-withdrawn = The offer is withdrawn. Thank you for your help.
host-offers-title = Host offers
host-offers-intro = Offers from locals on the public page. Call or visit before verifying: a verified offer becomes a site (private accommodation).
host-offers-purged = { $count ->
    [one] { $count } offer deleted.
   *[other] { $count } offers deleted.
}
enum-host-offer-status-pending = waiting for a check
enum-host-offer-status-verified = verified
enum-host-offer-status-rejected = rejected
enum-host-offer-status-withdrawn = withdrawn
host-offers-none = No offers.
host-offers-choose = Choose
host-offers-dates = Dates
host-offers-accepts = Whom they take
host-offers-purge = Delete the chosen ones (spam)
host-offer-title = Host offer
host-offers-received = Received
host-offers-decided = Decided
host-offers-note = Verification note
host-offers-note-hint = How it was checked: a call, a visit. Only coordinators and dispatchers see it.
host-offers-site = Site
host-offers-open-site = Open the site
host-offers-verify = Verify: checked
host-offers-reject = Reject
poster-title = Poster
poster-link = Poster with the pre-registration QR code
poster-print-hint = Print this page on A4 and put it up where people wait.
poster-page-off = The pre-registration page is off on this server: the QR code leads nowhere.
poster-call = Waiting in the queue? Scan the code and enter your family in advance.
field-error-location-invalid-value = Choose a town or village of the list.
