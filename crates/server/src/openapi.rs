//! The OpenAPI 3.1 document, generated from the handlers' annotations and the types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;
use crate::households::{CreatedHousehold, CreatedMember, HouseholdPage};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shanyrak API",
        description = "Registration of displaced households: register, find, edit. Errors are RFC 9457 problem documents.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        crate::households::create_household,
        crate::households::list_households,
        crate::households::get_household,
        crate::households::get_household_by_reference,
        crate::households::patch_household,
        crate::persons::search_post,
        crate::persons::search_get,
        crate::protection::subject_access,
        crate::protection::erase,
        crate::protection::shelter_elsewhere,
        crate::duplicates::queue,
        crate::duplicates::get,
        crate::duplicates::decide,
        crate::duplicates::undo,
        crate::duplicates::count,
        crate::audit::trail,
        crate::audit::access_log,
        crate::stats::coordinator_stats,
        crate::stats::public_stats,
        crate::stats::public_stats_csv,
        crate::agreements::create,
        crate::agreements::list,
        crate::agreements::withdraw,
        crate::auth::login,
        crate::auth::logout,
        crate::health,
        crate::shelter::create_site,
        crate::shelter::list_sites,
        crate::shelter::get_site,
        crate::shelter::patch_site,
        crate::shelter::add_pool,
        crate::shelter::update_pool,
        crate::shelter::residents,
        crate::shelter::create_stay,
        crate::shelter::check_in,
        crate::shelter::check_out,
        crate::shelter::cancel,
        crate::shelter::seen,
        crate::shelter::waiting_list,
        crate::placements::propose,
        crate::placements::get_batch,
        crate::placements::decide,
        crate::essentials::create_item,
        crate::essentials::list_items,
        crate::essentials::update_item_rules,
        crate::essentials::create_point,
        crate::essentials::list_points,
        crate::essentials::receipt,
        crate::essentials::transfer,
        crate::essentials::adjustment,
        crate::essentials::stock,
        crate::essentials::entitlements,
        crate::essentials::record_distribution,
        crate::essentials::distribution_report,
        crate::essentials::stock_report,
        crate::cases::create_case,
        crate::cases::list_cases,
        crate::cases::get_case,
        crate::cases::patch_case,
        crate::cases::add_note,
        crate::cases::list_notes,
        crate::cases::create_referral,
        crate::cases::list_referrals,
        crate::cases::overdue_referrals,
        crate::cases::get_referral,
        crate::cases::transition_referral,
        crate::cases::person_legal_stay,
        crate::cases::record_stay_movement,
        crate::cases::upcoming,
        crate::resettlement::create_programme,
        crate::resettlement::list_programmes,
        crate::resettlement::get_programme,
        crate::resettlement::propose,
        crate::resettlement::list_entries,
        crate::resettlement::report,
        crate::resettlement::transition_entry,
        crate::places::search,
    ),
    components(schemas(Problem, CreatedHousehold, CreatedMember, HouseholdPage)),
    modifiers(&BearerAuth),
    tags(
        (name = "households", description = "Households and their members"),
        (name = "shelter", description = "Sites, bed pools, stays and the waiting list"),
        (name = "identity", description = "Possible duplicates, their review, resolved persons"),
        (name = "audit", description = "The change history of records"),
        (name = "auth", description = "Sign in and out"),
        (name = "essentials", description = "Items, distribution points, the stock ledger, entitlements, distributions and their reports"),
        (name = "cases", description = "Cases, restricted notes, referrals with consent, and the legal-stay tracker"),
        (name = "resettlement", description = "Receiving programmes, households proposed by priority, their pipeline status and the quota report"),
        (name = "statistics", description = "Figures for coordinators and, under disclosure control, the public")
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
