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
    fn registrars_register_and_site_managers_only_read() {
        assert!(actor(&[Role::Registrar]).may(Action::RegisterHousehold));
        assert!(actor(&[Role::SiteManager]).may(Action::ReadHousehold));
        assert!(!actor(&[Role::SiteManager]).may(Action::UpdateHousehold));
        assert!(actor(&[Role::Analyst, Role::Registrar]).may(Action::UpdateHousehold));
        assert!(!actor(&[]).may(Action::ReadHousehold));
    }
}
