//! Where the price search starts: a price per bed from who a city's beds could take, or
//! the prices of an earlier run (a warm start) carried over by stable resource names.

use crate::input::PoolKind;
use crate::model::Model;
use crate::output::WarmStart;

/// A starting price per bed: the per-person priority of the last household that a city's
/// beds could take if everyone stayed in their city. Rooms start at that price for half the
/// room; step-free beds and intake start free.
pub(crate) fn initial_prices(m: &Model, warm: Option<&WarmStart>) -> Vec<f64> {
    let nc = m.cities.len();
    let mut beds = vec![0.0; nc];
    for t in &m.types {
        for (i, k) in t.slots.iter().enumerate() {
            let cap = m.res_cap[(t.res0 + 2 * i as u32) as usize];
            beds[t.city as usize] += match k {
                PoolKind::FamilyRoom { room_size } => cap * f64::from(*room_size),
                _ => cap,
            };
        }
    }
    let mut marginal = vec![0.0; nc];
    let mut filled = vec![0.0; nc];
    for &h in &m.order {
        let c = &m.hh[h as usize];
        let city = c.city as usize;
        if filled[city] < beds[city] {
            filled[city] += f64::from(c.n);
            if filled[city] >= beds[city] {
                marginal[city] = c.weight;
            }
        }
    }
    let mut prices = vec![0.0; m.res_cap.len()];
    for t in &m.types {
        for (i, k) in t.slots.iter().enumerate() {
            let r = (t.res0 + 2 * i as u32) as usize;
            prices[r] = match k {
                PoolKind::FamilyRoom { room_size } => {
                    marginal[t.city as usize] * f64::from(*room_size) * 0.5
                }
                _ => marginal[t.city as usize],
            };
        }
    }
    if let Some(w) = warm {
        for (r, key) in resource_keys(m).iter().enumerate() {
            if let Some(&p) = w.prices.get(key)
                && p.is_finite()
                && p >= 0.0
            {
                prices[r] = p;
            }
        }
    }
    prices
}

/// Stable names of resources, so prices carry over to a problem with other households.
fn resource_keys(m: &Model) -> Vec<String> {
    let mut keys = Vec::with_capacity(m.res_cap.len());
    for t in &m.types {
        let ty = format!(
            "{}|seg={}|children={}|nights={:?}|intake={}|{:?}",
            m.cities[t.city as usize],
            t.rules.sex_segregated,
            t.rules.children_allowed,
            t.rules.max_nights,
            t.intake_limited,
            t.slots
        );
        for k in &t.slots {
            keys.push(format!("{ty}|{k:?}|beds"));
            keys.push(format!("{ty}|{k:?}|step_free"));
        }
        if t.intake_limited {
            keys.push(format!("{ty}|intake"));
        }
    }
    keys
}

pub(crate) fn warm_start(m: &Model, prices: &[f64]) -> WarmStart {
    WarmStart {
        prices: resource_keys(m)
            .into_iter()
            .zip(prices.iter().copied())
            .collect(),
    }
}
