//! Legal stay: how many days a person has used of the stay the host country allows, how
//! many are left, and the next deadline (registration, or the last lawful day).
//!
//! The rules are data, not code ([`StayRule`], loaded from `data/legal_stay_rules.json`),
//! because they differ per citizenship and host country and change by decree. The
//! computation is pure: "today" is an argument.
//!
//! Conventions (the ones border services use for "N days in any M days"):
//! - the day of entry and the day of exit both count as days of stay;
//! - a day counts once, however many crossings happen on it;
//! - an entry without a recorded exit means the person is still present, and their stay
//!   counts up to the day asked about, never beyond it.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::CountryCode;
use crate::household::string_enum;

string_enum!(
    MovementKind {
        /// Crossed into the host country.
        Entry => "entry",
        /// Left the host country.
        Exit => "exit",
        /// Registered with the host country's migration authority.
        Registration => "registration",
    }
);

/// One recorded movement of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Movement {
    pub kind: MovementKind,
    pub on: NaiveDate,
    /// The host country the movement concerns.
    pub country: CountryCode,
}

/// The allowed stay for citizens of some countries in one host country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StayRule {
    pub host: CountryCode,
    pub citizenships: Vec<CountryCode>,
    /// At most this many days of stay …
    pub max_days: u32,
    /// … in any window of this many consecutive days.
    pub window_days: u32,
    /// Registration is due this many days after the (latest) entry, if at all.
    #[serde(default)]
    pub registration_within_days: Option<u32>,
    /// True for the shipped example rules, which must be checked against current law.
    #[serde(default)]
    pub example: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[allow(dead_code)] // read by people, kept in the file
    status: String,
    rules: Vec<StayRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the stay rules are not valid JSON of the expected shape")]
    Unreadable,
    #[error("a stay rule allows more days than its window has, or has an empty window")]
    Inconsistent,
    #[error("two stay rules cover the same citizenship and host country")]
    Overlapping,
}

/// A set of rules, at most one per (citizenship, host country).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<StayRule>,
}

/// Longest window accepted; real rules use 180 or 365 days.
const MAX_WINDOW_DAYS: u32 = 3660;

impl RuleSet {
    pub fn new(rules: Vec<StayRule>) -> Result<Self, RuleError> {
        let mut seen = std::collections::HashSet::new();
        for rule in &rules {
            if rule.window_days == 0
                || rule.window_days > MAX_WINDOW_DAYS
                || rule.max_days > rule.window_days
            {
                return Err(RuleError::Inconsistent);
            }
            for c in &rule.citizenships {
                if !seen.insert((*c, rule.host)) {
                    return Err(RuleError::Overlapping);
                }
            }
        }
        Ok(Self { rules })
    }

    /// Parses a rule file: `{"status": "...", "rules": [StayRule, ...]}`.
    pub fn from_json(text: &str) -> Result<Self, RuleError> {
        let file: RuleFile = serde_json::from_str(text).map_err(|_| RuleError::Unreadable)?;
        Self::new(file.rules)
    }

    /// The example rules shipped with Shanyrak (Kazakhstan and Kyrgyzstan, citizens of
    /// EAEU states). EXAMPLES: they must be checked against current law.
    pub fn examples() -> Result<Self, RuleError> {
        Self::from_json(include_str!("../data/legal_stay_rules.json"))
    }

    pub fn find(&self, citizenship: CountryCode, host: CountryCode) -> Option<&StayRule> {
        self.rules
            .iter()
            .find(|r| r.host == host && r.citizenships.contains(&citizenship))
    }

    pub fn rules(&self) -> &[StayRule] {
        &self.rules
    }
}

string_enum!(
    DeadlineKind {
        /// Registration with the migration authority is due.
        Registration => "registration",
        /// The last day of lawful stay if the person stays on without leaving.
        StayLimit => "stay_limit",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub on: NaiveDate,
}

/// The legal-stay position of one person in one host country on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LegalStayStatus))]
pub struct StayStatus {
    pub host: CountryCode,
    /// The day the figures are for.
    pub on: NaiveDate,
    pub max_days: u32,
    pub window_days: u32,
    /// First day of the window ending on `on`.
    pub window_start: NaiveDate,
    /// Present on `on` (an entry without a later exit).
    pub present: bool,
    /// Days of stay inside the window ending on `on`.
    pub days_used: u32,
    /// `max_days - days_used`; negative when the person has overstayed.
    pub days_left: i64,
    pub overstayed: bool,
    /// If present: the last day they may remain without leaving (None when already over).
    pub last_lawful_day: Option<NaiveDate>,
    /// Registration due date, while the latest entry has no registration after it.
    pub registration_due: Option<NaiveDate>,
    pub registration_overdue: bool,
    /// The earliest of the deadlines above that is still ahead or today.
    pub next_deadline: Option<Deadline>,
    /// True when the rule is one of the shipped examples.
    pub rule_is_example: bool,
}

/// Days of presence in `host` up to `on`, as closed intervals, from movements in any
/// order, and whether the person is still present at the end of `on`.
fn presence(
    movements: &[Movement],
    host: CountryCode,
    on: NaiveDate,
) -> (Vec<(NaiveDate, NaiveDate)>, bool) {
    let mut by_day: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    for m in movements.iter().filter(|m| m.country == host && m.on <= on) {
        let day = by_day.entry(m.on).or_default();
        match m.kind {
            MovementKind::Entry => day.0 += 1,
            MovementKind::Exit => day.1 += 1,
            MovementKind::Registration => {}
        }
    }
    let mut intervals = Vec::new();
    let mut open: Option<NaiveDate> = None;
    for (day, (entries, exits)) in by_day {
        // Within one day the order of crossings is not recorded; take the reading that
        // explains them: if present, leave first (then perhaps return); if absent, arrive
        // first (then perhaps leave: a day visit).
        let mut steps: Vec<MovementKind> = Vec::new();
        if open.is_some() {
            steps.extend(std::iter::repeat_n(MovementKind::Exit, exits as usize));
            steps.extend(std::iter::repeat_n(MovementKind::Entry, entries as usize));
        } else {
            steps.extend(std::iter::repeat_n(MovementKind::Entry, entries as usize));
            steps.extend(std::iter::repeat_n(MovementKind::Exit, exits as usize));
        }
        for step in steps {
            match (step, open) {
                (MovementKind::Entry, None) => open = Some(day),
                (MovementKind::Exit, Some(from)) => {
                    intervals.push((from, day));
                    open = None;
                }
                // A second entry without an exit, or an exit without an entry: a gap in
                // the record, not evidence of presence; ignored rather than guessed.
                _ => {}
            }
        }
    }
    if let Some(from) = open {
        intervals.push((from, on));
    }
    (intervals, open.is_some())
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// Computes the stay position on `on` under `rule`.
pub fn compute(rule: &StayRule, movements: &[Movement], on: NaiveDate) -> StayStatus {
    let host = rule.host;
    let window = rule.window_days.max(1);
    let (intervals, present) = presence(movements, host, on);
    // Presence per day from the start of the window ending on `on` to `on + window`:
    // days up to `on` from the record, later days as if the person stays on.
    let first = sub_days(on, window - 1);
    let span = 2 * window as usize;
    let mut days = vec![false; span];
    for (i, slot) in days.iter_mut().enumerate() {
        let day = add_days(first, i as u32);
        *slot = if day <= on {
            intervals.iter().any(|&(a, b)| a <= day && day <= b)
        } else {
            present
        };
    }
    let used_on = days[..window as usize].iter().filter(|&&d| d).count() as u32;
    let days_left = i64::from(rule.max_days) - i64::from(used_on);
    let overstayed = days_left < 0;
    // Slide the window forward one day at a time while staying on.
    let last_lawful_day = if present && !overstayed {
        let mut used = used_on;
        let mut last = on;
        for step in 1..=window as usize {
            let enters = days[window as usize - 1 + step];
            let leaves = days[step - 1];
            used = used + u32::from(enters) - u32::from(leaves);
            if used > rule.max_days {
                break;
            }
            last = add_days(on, step as u32);
        }
        Some(last)
    } else {
        None
    };
    let latest_entry = movements
        .iter()
        .filter(|m| m.country == host && m.kind == MovementKind::Entry && m.on <= on)
        .map(|m| m.on)
        .max();
    let registration_due = match (rule.registration_within_days, latest_entry) {
        (Some(k), Some(entry)) if present => {
            let registered = movements.iter().any(|m| {
                m.country == host
                    && m.kind == MovementKind::Registration
                    && m.on >= entry
                    && m.on <= on
            });
            (!registered).then(|| add_days(entry, k))
        }
        _ => None,
    };
    let registration_overdue = registration_due.is_some_and(|d| d < on);
    let next_deadline = [
        registration_due.filter(|d| *d >= on).map(|d| Deadline {
            kind: DeadlineKind::Registration,
            on: d,
        }),
        last_lawful_day.map(|d| Deadline {
            kind: DeadlineKind::StayLimit,
            on: d,
        }),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|d| d.on);
    StayStatus {
        host,
        on,
        max_days: rule.max_days,
        window_days: window,
        window_start: first,
        present,
        days_used: used_on,
        days_left,
        overstayed,
        last_lawful_day,
        registration_due,
        registration_overdue,
        next_deadline,
        rule_is_example: rule.example,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    fn rule() -> StayRule {
        StayRule {
            host: CountryCode::KZ,
            citizenships: vec![CountryCode::RU],
            max_days: 90,
            window_days: 180,
            registration_within_days: Some(30),
            example: true,
            note: String::new(),
        }
    }

    fn entry(on: &str) -> Movement {
        Movement {
            kind: MovementKind::Entry,
            on: d(on),
            country: CountryCode::KZ,
        }
    }

    fn exit(on: &str) -> Movement {
        Movement {
            kind: MovementKind::Exit,
            on: d(on),
            country: CountryCode::KZ,
        }
    }

    fn registration(on: &str) -> Movement {
        Movement {
            kind: MovementKind::Registration,
            on: d(on),
            country: CountryCode::KZ,
        }
    }

    #[test]
    fn example_rules_load_and_are_marked_as_examples() {
        let rules = RuleSet::examples().expect("the shipped rules parse");
        let kz = rules
            .find(CountryCode::RU, CountryCode::KZ)
            .expect("RU in KZ");
        assert_eq!((kz.max_days, kz.window_days), (90, 180));
        assert_eq!(kz.registration_within_days, Some(30));
        assert!(rules.find(CountryCode::RU, CountryCode::KG).is_some());
        assert!(
            rules
                .rules()
                .iter()
                .all(|r| r.example && r.note.contains("EXAMPLE"))
        );
        assert!(rules.find(CountryCode::KZ, CountryCode::KZ).is_none());
    }

    #[test]
    fn inconsistent_or_overlapping_rules_are_refused() {
        let mut wide = rule();
        wide.max_days = 181;
        assert_eq!(RuleSet::new(vec![wide]), Err(RuleError::Inconsistent));
        assert_eq!(
            RuleSet::new(vec![rule(), rule()]),
            Err(RuleError::Overlapping)
        );
        assert_eq!(RuleSet::from_json("{"), Err(RuleError::Unreadable));
    }

    #[test]
    fn the_day_of_entry_counts_and_the_stay_ends_after_ninety_days() {
        let s = compute(&rule(), &[entry("2022-09-25")], d("2022-09-25"));
        assert!(s.present);
        assert_eq!((s.days_used, s.days_left), (1, 89));
        // 25 September + 89 days = 23 December: the 90th day.
        assert_eq!(s.last_lawful_day, Some(d("2022-12-23")));
        assert_eq!(s.registration_due, Some(d("2022-10-25")));
        assert_eq!(
            s.next_deadline,
            Some(Deadline {
                kind: DeadlineKind::Registration,
                on: d("2022-10-25")
            })
        );
    }

    #[test]
    fn an_exit_not_yet_recorded_counts_up_to_the_day_asked() {
        let stay = [entry("2022-09-25"), registration("2022-10-01")];
        let s = compute(&rule(), &stay, d("2022-12-23"));
        assert_eq!((s.days_used, s.days_left, s.overstayed), (90, 0, false));
        assert_eq!(s.last_lawful_day, Some(d("2022-12-23")));
        assert_eq!(s.registration_due, None);
        assert_eq!(
            s.next_deadline,
            Some(Deadline {
                kind: DeadlineKind::StayLimit,
                on: d("2022-12-23")
            })
        );
        let s = compute(&rule(), &stay, d("2022-12-24"));
        assert_eq!((s.days_used, s.days_left, s.overstayed), (91, -1, true));
        assert_eq!((s.last_lawful_day, s.next_deadline), (None, None));
        // Asked about a day before the entry, nothing is used.
        let s = compute(&rule(), &stay, d("2022-09-24"));
        assert_eq!((s.present, s.days_used), (false, 0));
    }

    #[test]
    fn entries_and_exits_on_the_window_boundary() {
        // The window ending on 29 June 2022 starts on 1 January.
        let on = d("2022-06-29");
        let s = compute(&rule(), &[entry("2021-12-20"), exit("2022-01-01")], on);
        assert_eq!(
            (s.window_start, s.days_used, s.present),
            (d("2022-01-01"), 1, false)
        );
        let s = compute(&rule(), &[entry("2021-12-20"), exit("2021-12-31")], on);
        assert_eq!(s.days_used, 0);
        // An entry on the last day of the window counts that day.
        let s = compute(&rule(), &[entry("2022-06-29")], on);
        assert_eq!((s.days_used, s.present), (1, true));
        // Entry and exit on the same day, while absent: a day visit, one day.
        let s = compute(&rule(), &[entry("2022-03-01"), exit("2022-03-01")], on);
        assert_eq!((s.days_used, s.present), (1, false));
    }

    #[test]
    fn several_entries_add_up_and_a_border_run_does_not_reset_the_count() {
        let trips = [
            entry("2022-09-25"),
            exit("2022-10-24"), // 30 days
            entry("2022-11-01"),
        ];
        let s = compute(&rule(), &trips, d("2022-11-10"));
        assert_eq!((s.days_used, s.present), (40, true));
        // Out and back in on the same day: one continuous stay, the day counted once.
        let run = [entry("2022-09-25"), exit("2022-10-24"), entry("2022-10-24")];
        let s = compute(&rule(), &run, d("2022-10-25"));
        assert_eq!((s.days_used, s.present), (31, true));
        // The registration clock restarts with the new entry.
        assert_eq!(s.registration_due, Some(d("2022-11-23")));
    }

    #[test]
    fn old_days_leave_the_window_while_new_ones_enter() {
        // 90 days from 1 January to 31 March, then back on 30 June: each new day
        // replaces one that leaves the window until 31 March has left it.
        let trips = [entry("2022-01-01"), exit("2022-03-31"), entry("2022-06-29")];
        let s = compute(&rule(), &trips, d("2022-06-29"));
        assert_eq!((s.days_used, s.overstayed), (91, true));
        let trips = [entry("2022-01-01"), exit("2022-03-31"), entry("2022-06-30")];
        let s = compute(&rule(), &trips, d("2022-06-30"));
        assert_eq!((s.days_used, s.days_left), (90, 0));
        assert_eq!(s.last_lawful_day, Some(d("2022-09-27")));
    }

    #[test]
    fn other_countries_and_unmatched_crossings_are_ignored() {
        let mut elsewhere = entry("2022-09-25");
        elsewhere.country = CountryCode::KG;
        let s = compute(&rule(), &[elsewhere, exit("2022-09-01")], d("2022-10-01"));
        assert_eq!((s.days_used, s.present, s.next_deadline), (0, false, None));
        let twice = [entry("2022-09-25"), entry("2022-09-28")];
        let s = compute(&rule(), &twice, d("2022-09-30"));
        assert_eq!(s.days_used, 6);
        // Registration is due 30 days after the latest entry.
        assert_eq!(s.registration_due, Some(d("2022-10-28")));
        let late = compute(&rule(), &twice, d("2022-10-29"));
        assert!(late.registration_overdue);
    }
}
