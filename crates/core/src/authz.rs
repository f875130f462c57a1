//! Who may do what: the one table every request is checked against.
//!
//! **Invariant:** handlers never compare roles themselves; they ask [`Actor::may`], so that
//! the policy can be read, tested and changed in one place.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::string_enum;

string_enum!(
    Role {
        Admin => "admin",
        Registrar => "registrar",
        SiteManager => "site_manager",
        Dispatcher => "dispatcher",
        Distributor => "distributor",
        Caseworker => "caseworker",
        Analyst => "analyst",
        /// Reads the audit and access logs; nothing else.
        Auditor => "auditor",
    }
);

/// Things a user can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    RegisterHousehold,
    ReadHousehold,
    UpdateHousehold,
    ReadAudit,
    /// See sites and free beds (not personal data).
    ReadSites,
    /// Create and edit sites and bed pools of one's own organisation.
    ManageSites,
    /// Reserve beds for, check in and check out households.
    PlaceHouseholds,
    /// See who stays at a site (names and reference only).
    ReadResidents,
    /// Decide whether two registrations are the same person.
    ReviewDuplicates,
    /// Offer, list and withdraw the organisation's data-sharing agreements.
    ManageAgreements,
    /// See the item catalogue, distribution points and stock on hand (no personal data).
    ReadStock,
    /// Define items and points; record receipts, transfers, adjustments and losses.
    ManageStock,
    /// See a household's entitlements and receipts, and record what it is given.
    Distribute,
    /// Aggregate distribution and stock reports (no personal data).
    ReadDistributions,
    /// Open, read and update cases (assessment, plan, appointments, status).
    ManageCases,
    /// Read and write restricted case notes; the store also requires the owning
    /// organisation.
    CaseNotes,
    /// Send referrals and follow the ones sent (including overdue ones).
    ManageReferrals,
    /// Read referrals received (the consented fields only) and answer them.
    ReceiveReferrals,
    /// Record entries, exits and registrations, and read legal-stay positions.
    TrackLegalStay,
    /// Define receiving programmes, propose households for them, move them through the
    /// resettlement pipeline and read the quota report.
    ManageResettlement,
    /// Export everything held about one person, for them (subject access).
    SubjectAccess,
    /// Erase a person's personal data on their request.
    EraseSubject,
    /// See whether a member of one's own household is sheltered by another organisation
    /// that shares `shelter` with one's own (the store checks the agreement).
    ReadShelterElsewhere,
    /// See the organisation's unconfirmed places (typed names the place list does not
    /// resolve) and map each to a place of the list, for all its records at once.
    MapPlaces,
    /// See the host offers made on the organisation's public page (with the host's address
    /// and contact), verify, reject and purge them.
    ManageHostOffers,
}

impl Role {
    /// The policy table. Analysts see aggregates only, so they may not read a household.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            RegisterHousehold | UpdateHousehold => matches!(self, Admin | Registrar | Caseworker),
            ReadHousehold => matches!(
                self,
                Admin | Registrar | Caseworker | SiteManager | Dispatcher | Distributor
            ),
            ReadAudit => matches!(self, Admin | Auditor),
            ReadSites => true,
            ManageSites => matches!(self, Admin | SiteManager),
            PlaceHouseholds => matches!(self, Admin | SiteManager | Dispatcher | Caseworker),
            ReadResidents => matches!(self, Admin | SiteManager | Dispatcher),
            ReviewDuplicates => matches!(self, Admin | Registrar | Caseworker),
            ManageAgreements => matches!(self, Admin),
            // Auditors read logs only.
            ReadStock => !matches!(self, Auditor),
            ManageStock | Distribute => matches!(self, Admin | Distributor),
            ReadDistributions => matches!(self, Admin | Distributor | Analyst),
            // Cases hold sensitive assessments (protection risk, medical), which only
            // caseworkers see (see `sees_sensitive_vulnerabilities`); admins do not.
            ManageCases | CaseNotes | ManageReferrals | ReceiveReferrals => {
                matches!(self, Caseworker)
            }
            // Those who register households record crossings and watch deadlines.
            TrackLegalStay => matches!(self, Admin | Registrar | Caseworker),
            ManageResettlement => matches!(self, Admin | Caseworker),
            // Those who answer a person's request at the desk; erasure is irreversible
            // and for admins alone.
            SubjectAccess => matches!(self, Admin | Registrar),
            EraseSubject => matches!(self, Admin),
            ReadShelterElsewhere => matches!(self, Admin | SiteManager | Dispatcher),
            // The coordinators: an unconfirmed place splits both the waiting list and the
            // beds of a city.
            MapPlaces => matches!(self, Admin | Dispatcher),
            // The coordinators and the dispatchers who send people into private homes.
            ManageHostOffers => matches!(self, Admin | Dispatcher),
        }
    }
}

/// The authenticated user on whose behalf a request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn may(&self, action: Action) -> bool {
        self.roles.iter().any(|r| r.allows(action))
    }

    /// Identity documents and free-text notes: for the roles that register and follow
    /// up households, not for site managers, dispatchers or distributors.
    pub fn sees_documents_and_notes(&self) -> bool {
        crate::visibility::Viewer::own(self).sees(crate::visibility::Field::DocumentNumber)
    }

    /// Sensitive vulnerabilities (protection risk, medical): caseworkers only. Records are
    /// always of the actor's own organisation at this point (cross-organisation reads
    /// need an agreement and never include them).
    pub fn sees_sensitive_vulnerabilities(&self) -> bool {
        crate::visibility::Viewer::own(self).sees(crate::visibility::Field::SensitiveVulnerability)
    }
}

impl crate::Vulnerability {
    /// Vulnerabilities whose mere mention can endanger a person if it leaks.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            crate::Vulnerability::ProtectionRisk | crate::Vulnerability::Medical
        )
    }
}

impl crate::Household {
    /// The household as `actor` may see it: fields their role does not need are removed
    /// (not masked), so nothing hidden can be recovered from the response. The rules are
    /// the visibility table's ([`crate::visibility`]).
    pub fn redacted_for(mut self, actor: &Actor) -> Self {
        use crate::visibility::{Field, Viewer};
        let viewer = Viewer::own(actor);
        if !viewer.sees(Field::HouseholdNotes) {
            self.notes = None;
        }
        if !viewer.sees(Field::Phone) {
            self.phone = None;
        }
        if !viewer.sees(Field::CurrentPosition) {
            self.current_location = None;
        }
        let documents = viewer.sees(Field::DocumentNumber);
        for member in &mut self.members {
            if !documents {
                member.documents.clear();
            }
            member
                .vulnerabilities
                .retain(|v| viewer.sees_vulnerability(*v));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn analysts_never_read_personal_records() {
        let analyst = actor(&[Role::Analyst]);
        for action in [
            Action::RegisterHousehold,
            Action::ReadHousehold,
            Action::UpdateHousehold,
            Action::ReadAudit,
        ] {
            assert!(!analyst.may(action), "{action:?}");
        }
    }

    #[test]
    fn case_notes_are_for_caseworkers_only() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Action::CaseNotes),
                *role == Role::Caseworker,
                "{role}"
            );
        }
    }

    #[test]
    fn sensitive_fields_follow_the_role() {
        assert!(actor(&[Role::Caseworker]).sees_sensitive_vulnerabilities());
        assert!(!actor(&[Role::Admin, Role::Registrar]).sees_sensitive_vulnerabilities());
        assert!(actor(&[Role::Registrar]).sees_documents_and_notes());
        assert!(!actor(&[Role::SiteManager, Role::Dispatcher]).sees_documents_and_notes());
    }

    #[test]
    fn distributors_hand_out_and_analysts_only_count() {
        let distributor = actor(&[Role::Distributor]);
        assert!(distributor.may(Action::Distribute) && distributor.may(Action::ManageStock));
        let analyst = actor(&[Role::Analyst]);
        assert!(analyst.may(Action::ReadDistributions));
        assert!(!analyst.may(Action::Distribute) && !analyst.may(Action::ManageStock));
        assert!(!actor(&[Role::Registrar]).may(Action::Distribute));
        assert!(!actor(&[Role::Auditor]).may(Action::ReadStock));
    }

    #[test]
    fn host_offers_are_for_coordinators_and_dispatchers_only() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Action::ManageHostOffers),
                matches!(role, Role::Admin | Role::Dispatcher),
                "{role}"
            );
        }
    }

    #[test]
    fn registrars_register_and_site_managers_only_read() {
        assert!(actor(&[Role::Registrar]).may(Action::RegisterHousehold));
        assert!(actor(&[Role::SiteManager]).may(Action::ReadHousehold));
        assert!(!actor(&[Role::SiteManager]).may(Action::UpdateHousehold));
        assert!(actor(&[Role::Analyst, Role::Registrar]).may(Action::UpdateHousehold));
        assert!(!actor(&[]).may(Action::ReadHousehold));
    }
}
