//! The compiled model: the input turned into dense indices and aggregated, so the search
//! runs over a few thousand classes instead of a hundred thousand households.
//!
//! Two aggregations make the optimiser fast:
//! - households with the same composition, step-free needs, consents and nights needed
//!   share a *feature*; households wanting the same city and waiting at the same place
//!   (their current position to about 1 km, or the city itself) share a *geo*; a feature
//!   at one geo is a *class*. Members of a class are interchangeable except for priority,
//!   so a class is kept sorted by priority.
//! - sites in one city with the same house rules and the same kinds of pool share a *site
//!   type*. Prices are set per type and per resource (beds and step-free beds of each kind,
//!   intake), which is where the Lagrangian search works.
//!
//! Everything here is deterministic: ids are interned in sorted order or input order, never
//! in hash order.

use std::collections::BTreeMap;

use crate::input::{HouseRules, Household, Options, PoolKind, Problem};

/// Marks an absent index.
pub(crate) const NONE: u32 = u32::MAX;

/// What decides where a household may sleep, without its priority or city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Feature {
    pub men: u16,
    pub women: u16,
    pub children: u16,
    pub sf_men: u16,
    pub sf_women: u16,
    pub sf_children: u16,
    /// Consent to separation; kept only when the household has both groups to separate.
    pub accepts: bool,
    /// Consent to several family rooms; kept only for households of two or more.
    pub rooms: bool,
    pub nights: Option<u32>,
}

impl Feature {
    pub fn of(h: &Household) -> Feature {
        let both = h.men > 0 && (h.women > 0 || h.children > 0);
        Feature {
            men: h.men,
            women: h.women,
            children: h.children,
            sf_men: h.step_free.men,
            sf_women: h.step_free.women,
            sf_children: h.step_free.children,
            accepts: h.accepts_sex_separation && both,
            rooms: h.accepts_several_rooms && h.size() > 1,
            nights: h.nights_needed,
        }
    }
    pub fn n(&self) -> u32 {
        u32::from(self.men) + self.wc()
    }
    /// The women-and-children group, which sleeps in the female dormitory when separated.
    pub fn wc(&self) -> u32 {
        u32::from(self.women) + u32::from(self.children)
    }
    pub fn sf_wc(&self) -> u32 {
        u32::from(self.sf_women) + u32::from(self.sf_children)
    }
    pub fn sf_total(&self) -> u32 {
        u32::from(self.sf_men) + self.sf_wc()
    }
}

/// How a household is laid out over the pools of one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Pattern {
    /// Everyone in one family room or mixed pool of this kind.
    Whole(PoolKind),
    /// Men only, in a male dormitory.
    Men,
    /// Women and children only, in a female dormitory.
    Wc,
    /// Men in a male dormitory, women and children in a female one.
    Separated,
    /// Several family rooms of this kind, laid out by [`room_layout`].
    Rooms(PoolKind),
}

/// Which rules a pattern search may ignore, used to explain why a household is unplaced.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Relax {
    pub accept_separation: bool,
    /// Let children sleep where no adult of their household does.
    pub leave_children_alone: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct CPool {
    /// Index of the pool in the input site's `pools`.
    pub index: u32,
    pub kind: PoolKind,
    /// Free beds, or free rooms for a family room pool.
    pub cap: u32,
    /// Free step-free beds, or step-free rooms.
    pub sf: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct CSite {
    pub city: u32,
    /// The site's coordinates, else its city's centre.
    pub loc: Option<(f64, f64)>,
    pub ty: u32,
    /// Range into [`Model::pools`].
    pub pools: std::ops::Range<usize>,
    pub intake: Option<u32>,
    /// The site's own stay limit; its type only knows a coarser one.
    pub max_nights: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct CType {
    pub city: u32,
    pub rules: HouseRules,
    pub intake_limited: bool,
    /// Kinds of pool with free beds, sorted; every site of the type has each of them.
    pub slots: Vec<PoolKind>,
    /// First resource index: slot `i` has beds at `res0 + 2i`, step-free at `res0 + 2i + 1`;
    /// intake, if limited, at `res0 + 2 * slots.len()`.
    pub res0: u32,
    pub sites: Vec<u32>,
}

impl CType {
    pub fn slot_res(&self, kind: PoolKind) -> Option<u32> {
        let i = self.slots.binary_search(&kind).ok()?;
        Some(self.res0 + 2 * i as u32)
    }
    pub fn intake_res(&self) -> Option<u32> {
        self.intake_limited
            .then(|| self.res0 + 2 * self.slots.len() as u32)
    }
}

/// A pattern of one feature at one site type, with the resources it uses.
#[derive(Debug, Clone)]
pub(crate) struct TypeOpt {
    pub ty: u32,
    pub pattern: Pattern,
    pub usage: [(u32, u32); 5],
    pub nuse: u8,
}

impl TypeOpt {
    pub fn usage(&self) -> &[(u32, u32)] {
        &self.usage[..usize::from(self.nuse)]
    }
    pub fn cost(&self, prices: &[f64]) -> f64 {
        self.usage()
            .iter()
            .map(|&(r, a)| prices[r as usize] * f64::from(a))
            .sum()
    }
}

/// Where a group of households waits and which city it wants.
#[derive(Debug, Clone)]
pub(crate) struct Geo {
    /// The preferred city.
    pub wish: u32,
    /// Where travel starts: the rounded current position, else the wished city's centre.
    pub origin: Option<(f64, f64)>,
    /// Whether `origin` is a current position.
    pub from_position: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub feature: u32,
    pub geo: u32,
    /// Distinct household values (people times effective priority) with how many members
    /// have each, best first: the dual only needs these.
    pub levels: Vec<(f64, u32)>,
}

#[derive(Debug, Clone)]
pub(crate) struct CHousehold {
    pub feature: u32,
    pub class: u32,
    pub city: u32,
    pub geo: u32,
    /// Effective priority per person.
    pub weight: f64,
    pub n: u32,
}

#[derive(Debug)]
pub(crate) struct Model<'a> {
    pub problem: &'a Problem,
    pub options: &'a Options,
    pub cities: Vec<String>,
    /// Per city: the mean of its sites' coordinates.
    pub centroid: Vec<Option<(f64, f64)>>,
    pub geos: Vec<Geo>,
    /// Per geo: cities in reach of the wished city, each with the least travel cost per
    /// person to one of its sites, cheapest first. Travel is free in the merged model.
    pub reach: Vec<Vec<(u32, f64)>>,
    /// Per city: its sites.
    pub city_sites: Vec<Vec<u32>>,
    /// Whether this is the city-merged relaxation.
    pub merged: bool,
    pub pools: Vec<CPool>,
    pub sites: Vec<CSite>,
    pub types: Vec<CType>,
    pub res_cap: Vec<f64>,
    pub features: Vec<Feature>,
    /// Per feature: options sorted by city then type.
    pub feat_opts: Vec<Vec<TypeOpt>>,
    /// Per feature and city (`f * cities + c`): range into `feat_opts[f]`.
    pub feat_city: Vec<(u32, u32)>,
    pub classes: Vec<Class>,
    pub hh: Vec<CHousehold>,
    /// Households in processing order: priority, then size, waiting time and id.
    pub order: Vec<u32>,
}

impl<'a> Model<'a> {
    /// Builds the model; the problem must already be validated. With `merge_cities` every
    /// site and household is put in one city and travel is free: a relaxation whose LP is
    /// small and well conditioned, used for the bound and to seed the prices.
    pub fn build(problem: &'a Problem, options: &'a Options, merge_cities: bool) -> Model<'a> {
        let mut city_ids: BTreeMap<&str, u32> = BTreeMap::new();
        if !merge_cities {
            for s in &problem.sites {
                city_ids.insert(s.city.as_str(), 0);
            }
            for h in &problem.households {
                city_ids.insert(h.preferred_city.as_str(), 0);
            }
        }
        let cities: Vec<String> = if merge_cities {
            vec!["*".to_owned()]
        } else {
            city_ids.keys().map(|c| (*c).to_owned()).collect()
        };
        for (i, v) in city_ids.values_mut().enumerate() {
            *v = i as u32;
        }
        let nc = cities.len();
        let city_of = |name: &str| city_ids.get(name).copied().unwrap_or(0);

        // Centroids from site coordinates, for travel between cities.
        let mut sum = vec![(0.0f64, 0.0f64, 0u32); nc];
        for s in &problem.sites {
            if let Some(c) = s.coordinates {
                let e = &mut sum[city_of(&s.city) as usize];
                e.0 += c.lat;
                e.1 += c.lon;
                e.2 += 1;
            }
        }
        let centroid: Vec<Option<(f64, f64)>> = sum
            .iter()
            .map(|&(a, b, n)| (n > 0).then(|| (a / f64::from(n), b / f64::from(n))))
            .collect();
        let city_km = |a: usize, b: usize| {
            if a == b {
                return 0.0;
            }
            match (centroid[a], centroid[b]) {
                (Some(p), Some(q)) => haversine_km(p, q),
                _ => options.unknown_distance_km,
            }
        };
        // Cities in reach of each wished city, by the distance between centres.
        let reach_of_city: Vec<Vec<u32>> = (0..nc)
            .map(|a| {
                (0..nc)
                    .filter(|&b| b == a || options.max_travel_km.is_none_or(|m| city_km(a, b) <= m))
                    .map(|b| b as u32)
                    .collect()
            })
            .collect();

        // Pools, sites and site types.
        let mut pools = Vec::new();
        let mut sites = Vec::with_capacity(problem.sites.len());
        let mut types: Vec<CType> = Vec::new();
        let mut type_ids: BTreeMap<(u32, HouseRules, bool, Vec<PoolKind>), u32> = BTreeMap::new();
        for (si, s) in problem.sites.iter().enumerate() {
            let start = pools.len();
            for (pi, p) in s.pools.iter().enumerate() {
                let (cap, sf) = match p.kind {
                    PoolKind::FamilyRoom { room_size } => {
                        let size = i64::from(room_size.max(1));
                        (p.free_beds / size, p.free_step_free_beds / size)
                    }
                    _ => (p.free_beds, p.free_step_free_beds),
                };
                let cap = u32::try_from(cap.max(0)).unwrap_or(u32::MAX);
                let sf = u32::try_from(sf.max(0)).unwrap_or(0).min(cap);
                if cap > 0 {
                    pools.push(CPool {
                        index: pi as u32,
                        kind: p.kind,
                        cap,
                        sf,
                    });
                }
            }
            let mut slots: Vec<PoolKind> = pools[start..].iter().map(|p| p.kind).collect();
            slots.sort();
            slots.dedup();
            let city = city_of(&s.city);
            let loc = s
                .coordinates
                .map(|c| (c.lat, c.lon))
                .or(centroid[city as usize]);
            let intake = match options.max_batch_share {
                Some(share) => {
                    let beds: i64 = s.pools.iter().map(|p| p.free_beds.max(0)).sum();
                    let cap =
                        u32::try_from((share * beds as f64).ceil() as i64).unwrap_or(u32::MAX);
                    Some(s.max_intake.map_or(cap, |m| m.min(cap)))
                }
                None => s.max_intake,
            };
            let limited = intake.is_some();
            // Types group sites by a coarse stay limit (rounded up, so the type allows at
            // least what each of its sites allows); the exact limit is checked per site.
            let rules = HouseRules {
                max_nights: s.rules.max_nights.and_then(coarse_nights),
                ..s.rules
            };
            let key = (city, rules, limited, slots.clone());
            let ty = *type_ids.entry(key).or_insert_with(|| {
                types.push(CType {
                    city,
                    rules,
                    intake_limited: limited,
                    slots,
                    res0: 0,
                    sites: Vec::new(),
                });
                (types.len() - 1) as u32
            });
            types[ty as usize].sites.push(si as u32);
            sites.push(CSite {
                city,
                loc,
                ty,
                pools: start..pools.len(),
                intake,
                max_nights: s.rules.max_nights,
            });
        }
        let mut res_cap = Vec::new();
        for t in &mut types {
            t.res0 = res_cap.len() as u32;
            for &kind in &t.slots {
                let (mut cap, mut sf) = (0.0, 0.0);
                for &si in &t.sites {
                    for p in &pools[sites[si as usize].pools.clone()] {
                        if p.kind == kind {
                            cap += f64::from(p.cap);
                            sf += f64::from(p.sf);
                        }
                    }
                }
                res_cap.push(cap);
                res_cap.push(sf);
            }
            if t.intake_limited {
                let total: f64 = t
                    .sites
                    .iter()
                    .map(|&si| f64::from(sites[si as usize].intake.unwrap_or(0)))
                    .sum();
                res_cap.push(total);
            }
        }

        // Households, features and classes.
        // Nights needed matter only against the limits sites have, so a need is replaced by
        // the smallest limit that allows it: fewer features, same decisions.
        let mut limits: Vec<u32> = problem
            .sites
            .iter()
            .filter_map(|s| s.rules.max_nights)
            .collect();
        limits.sort_unstable();
        limits.dedup();
        let mut feat_ids: BTreeMap<Feature, u32> = BTreeMap::new();
        let mut geo_ids: BTreeMap<(u32, Option<(i64, i64)>), u32> = BTreeMap::new();
        let mut geos: Vec<Geo> = Vec::new();
        let mut hh = Vec::with_capacity(problem.households.len());
        for h in &problem.households {
            let wish = city_of(&h.preferred_city);
            // Positions to about 1 km: enough for travel costs, and households waiting at
            // the same border post share their classes.
            let cell = h.current_position.filter(|_| !merge_cities).map(|c| {
                (
                    (c.lat * 100.0).round() as i64,
                    (c.lon * 100.0).round() as i64,
                )
            });
            let geo = *geo_ids.entry((wish, cell)).or_insert_with(|| {
                geos.push(Geo {
                    wish,
                    origin: match cell {
                        Some((lat, lon)) => Some((lat as f64 / 100.0, lon as f64 / 100.0)),
                        None => centroid[wish as usize],
                    },
                    from_position: cell.is_some(),
                });
                (geos.len() - 1) as u32
            });
            let mut f = Feature::of(h);
            f.nights = f.nights.and_then(|need| match limits.first() {
                Some(&lowest) if need > lowest => {
                    Some(limits.iter().copied().find(|&l| l >= need).unwrap_or(need))
                }
                _ => None,
            });
            let next = feat_ids.len() as u32;
            let fid = *feat_ids.entry(f).or_insert(next);
            hh.push(CHousehold {
                feature: fid,
                class: NONE,
                city: wish,
                geo,
                weight: options.effective_priority(h),
                n: h.size(),
            });
        }
        let mut features = vec![
            Feature {
                men: 0,
                women: 0,
                children: 0,
                sf_men: 0,
                sf_women: 0,
                sf_children: 0,
                accepts: false,
                rooms: false,
                nights: None
            };
            feat_ids.len()
        ];
        for (f, &id) in &feat_ids {
            features[id as usize] = *f;
        }
        let mut order: Vec<u32> = (0..hh.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&hh[a as usize], &hh[b as usize]);
            let (hx, hy) = (
                &problem.households[a as usize],
                &problem.households[b as usize],
            );
            y.weight
                .total_cmp(&x.weight)
                .then(y.n.cmp(&x.n))
                .then(hy.waiting_days.cmp(&hx.waiting_days))
                .then(hx.id.cmp(&hy.id))
        });
        let mut class_ids: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        let mut classes: Vec<Class> = Vec::new();
        for &i in &order {
            let h = &mut hh[i as usize];
            let key = (h.feature, h.geo);
            let cid = *class_ids.entry(key).or_insert_with(|| {
                classes.push(Class {
                    feature: key.0,
                    geo: key.1,
                    levels: Vec::new(),
                });
                (classes.len() - 1) as u32
            });
            h.class = cid;
            let c = &mut classes[cid as usize];
            let v = h.weight * f64::from(h.n);
            match c.levels.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => c.levels.push((v, 1)),
            }
        }

        let mut city_sites = vec![Vec::new(); nc];
        for (i, site) in sites.iter().enumerate() {
            city_sites[site.city as usize].push(i as u32);
        }
        let mut model = Model {
            problem,
            options,
            cities,
            centroid,
            geos,
            reach: Vec::new(),
            city_sites,
            merged: merge_cities,
            pools,
            sites,
            types,
            res_cap,
            features,
            feat_opts: Vec::new(),
            feat_city: Vec::new(),
            classes,
            hh,
            order,
        };
        model.reach = (0..model.geos.len())
            .map(|g| {
                let wish = model.geos[g].wish as usize;
                let mut r: Vec<(u32, f64)> = reach_of_city[wish]
                    .iter()
                    .map(|&c| {
                        let cost = model.city_sites[c as usize]
                            .iter()
                            .map(|&s| model.site_cost(g as u32, s))
                            .fold(f64::INFINITY, f64::min);
                        (c, if cost.is_finite() { cost } else { 0.0 })
                    })
                    .collect();
                r.sort_by(|x, y| {
                    (x.0 != wish as u32)
                        .cmp(&(y.0 != wish as u32))
                        .then(x.1.total_cmp(&y.1))
                        .then(x.0.cmp(&y.0))
                });
                r
            })
            .collect();
        model.build_options();
        model
    }

    /// Kilometres from where the households of `geo` wait to `site`, and whether they
    /// were measured (both ends known) or assumed.
    pub fn trip_km(&self, geo: u32, site: u32) -> (f64, bool) {
        let g = &self.geos[geo as usize];
        let s = &self.sites[site as usize];
        match (g.origin, s.loc) {
            (Some(a), Some(b)) => (haversine_km(a, b), true),
            _ if s.city == g.wish && !g.from_position => (0.0, false),
            _ => (self.options.unknown_distance_km, false),
        }
    }

    /// Kilometres between `site` and the centre of the city `wish`.
    pub fn away_km(&self, wish: u32, site: u32) -> f64 {
        let s = &self.sites[site as usize];
        match (self.centroid[wish as usize], s.loc) {
            (Some(a), Some(b)) => haversine_km(a, b),
            _ if s.city == wish => 0.0,
            _ => self.options.unknown_distance_km,
        }
    }

    /// Travel cost per person of sending a household of `geo` to `site`.
    pub fn site_cost(&self, geo: u32, site: u32) -> f64 {
        if self.merged {
            return 0.0;
        }
        let o = self.options;
        let wish = self.geos[geo as usize].wish;
        o.travel_cost_per_km * self.trip_km(geo, site).0
            + o.away_cost_per_km * self.away_km(wish, site)
    }

    /// Per site type, the least travel cost per person from `geo` to one of its sites
    /// (infinite for types out of reach).
    pub fn type_costs(&self, geo: u32) -> Vec<f64> {
        let mut costs = vec![f64::INFINITY; self.types.len()];
        for &(city, _) in &self.reach[geo as usize] {
            for &s in &self.city_sites[city as usize] {
                let t = self.sites[s as usize].ty as usize;
                costs[t] = costs[t].min(self.site_cost(geo, s));
            }
        }
        costs
    }

    /// Options of every feature at every site type where at least one site could host it
    /// with tonight's free beds.
    fn build_options(&mut self) {
        let nc = self.cities.len();
        let mut types_by_city: Vec<u32> = (0..self.types.len() as u32).collect();
        types_by_city.sort_by_key(|&t| (self.types[t as usize].city, t));
        let rem = Remaining::new(self);
        let mut feat_opts = Vec::with_capacity(self.features.len());
        let mut feat_city = vec![(0u32, 0u32); self.features.len() * nc];
        for (fi, f) in self.features.iter().enumerate() {
            let mut opts = Vec::new();
            for &t in &types_by_city {
                let ty = &self.types[t as usize];
                let start = opts.len() as u32;
                for pattern in type_patterns(f, ty, Relax::default()) {
                    let hostable = ty
                        .sites
                        .iter()
                        .any(|&s| self.find_pools(s, f, pattern, &rem).is_some());
                    if hostable {
                        opts.push(type_opt(f, t, ty, pattern));
                    }
                }
                let e = &mut feat_city[fi * nc + ty.city as usize];
                if e.0 == e.1 {
                    *e = (start, opts.len() as u32);
                } else {
                    e.1 = opts.len() as u32;
                }
            }
            feat_opts.push(opts);
        }
        self.feat_opts = feat_opts;
        self.feat_city = feat_city;
    }

    pub fn opts_in_city(&self, f: u32, city: u32) -> &[TypeOpt] {
        let (a, b) = self.feat_city[f as usize * self.cities.len() + city as usize];
        &self.feat_opts[f as usize][a as usize..b as usize]
    }

    /// Pools of `site` that can take a household of feature `f` laid out as `pattern`, with
    /// the capacities left in `rem`; `[men's or whole pool, women-and-children pool]`.
    pub fn find_pools(
        &self,
        site: u32,
        f: &Feature,
        pattern: Pattern,
        rem: &Remaining,
    ) -> Option<[u32; 2]> {
        let s = &self.sites[site as usize];
        if rem.intake[site as usize] < f.n() || !nights_allowed(f.nights, s.max_nights) {
            return None;
        }
        let find = |kind: PoolKind, need: u32, need_sf: u32| -> Option<u32> {
            s.pools.clone().find_map(|i| {
                let p = &self.pools[i];
                (p.kind == kind && rem.cap[i] >= need && rem.sf[i] >= need_sf).then_some(i as u32)
            })
        };
        match pattern {
            Pattern::Whole(kind) | Pattern::Rooms(kind) => {
                let [(need, need_sf), _] = pool_needs(f, pattern);
                find(kind, need, need_sf).map(|p| [p, NONE])
            }
            Pattern::Men => {
                find(PoolKind::MaleDorm, u32::from(f.men), u32::from(f.sf_men)).map(|p| [p, NONE])
            }
            Pattern::Wc => find(PoolKind::FemaleDorm, f.wc(), f.sf_wc()).map(|p| [p, NONE]),
            Pattern::Separated => {
                let m = find(PoolKind::MaleDorm, u32::from(f.men), u32::from(f.sf_men))?;
                let w = find(PoolKind::FemaleDorm, f.wc(), f.sf_wc())?;
                Some([m, w])
            }
        }
    }
}

/// Free capacity while a placement is being built: beds (or rooms) and step-free beds per
/// pool, intake per site.
#[derive(Debug, Clone)]
pub(crate) struct Remaining {
    pub cap: Vec<u32>,
    pub sf: Vec<u32>,
    pub intake: Vec<u32>,
}

impl Remaining {
    /// Tonight's free capacity.
    pub fn new(m: &Model) -> Remaining {
        Remaining {
            cap: m.pools.iter().map(|p| p.cap).collect(),
            sf: m.pools.iter().map(|p| p.sf).collect(),
            intake: m
                .sites
                .iter()
                .map(|s| s.intake.unwrap_or(u32::MAX))
                .collect(),
        }
    }

    /// Takes the beds found by [`Model::find_pools`].
    pub fn take(&mut self, site: u32, f: &Feature, pattern: Pattern, found: [u32; 2]) {
        let s = site as usize;
        if self.intake[s] != u32::MAX {
            self.intake[s] -= f.n();
        }
        for (pool, (need, need_sf)) in found.iter().zip(pool_needs(f, pattern)) {
            if *pool != NONE {
                self.cap[*pool as usize] -= need;
                self.sf[*pool as usize] -= need_sf;
            }
        }
    }
}

impl Remaining {
    /// Gives back beds taken with [`Remaining::take`].
    pub fn release(&mut self, site: u32, f: &Feature, pattern: Pattern, found: [u32; 2]) {
        let s = site as usize;
        if self.intake[s] != u32::MAX {
            self.intake[s] += f.n();
        }
        for (pool, (need, need_sf)) in found.iter().zip(pool_needs(f, pattern)) {
            if *pool != NONE {
                self.cap[*pool as usize] += need;
                self.sf[*pool as usize] += need_sf;
            }
        }
    }
}

/// Beds (or rooms) and step-free beds (or rooms) a pattern takes in its one or two pools.
pub(crate) fn pool_needs(f: &Feature, pattern: Pattern) -> [(u32, u32); 2] {
    let men = (u32::from(f.men), u32::from(f.sf_men));
    let wc = (f.wc(), f.sf_wc());
    match pattern {
        Pattern::Whole(PoolKind::FamilyRoom { .. }) => [(1, u32::from(f.sf_total() > 0)), (0, 0)],
        Pattern::Rooms(PoolKind::FamilyRoom { room_size }) => {
            let rooms = room_layout(f, room_size).unwrap_or_default();
            let step_free = rooms.iter().filter(|r| r.step_free > 0).count() as u32;
            [(rooms.len() as u32, step_free), (0, 0)]
        }
        Pattern::Whole(_) | Pattern::Rooms(_) => [(f.n(), f.sf_total()), (0, 0)],
        Pattern::Men => [men, (0, 0)],
        Pattern::Wc => [wc, (0, 0)],
        Pattern::Separated => [men, wc],
    }
}

/// Members of a household in one of its family rooms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RoomFill {
    pub men: u16,
    pub women: u16,
    pub children: u16,
    /// Members here needing a step-free bed.
    pub step_free: u16,
}

/// How a household fills family rooms of `room_size` beds: as few rooms as possible, each
/// room with children also holding an adult (a woman first), adults of one sex together
/// where they can be. `None` when there are not enough adults to go with the children.
/// Step-free needs are counted in the first rooms that take each group, the order in which
/// members are later assigned to the rooms.
pub(crate) fn room_layout(f: &Feature, room_size: u16) -> Option<Vec<RoomFill>> {
    let size = u32::from(room_size);
    let (mut men, mut women, mut children) =
        (u32::from(f.men), u32::from(f.women), u32::from(f.children));
    let adults_for = |children: u32| {
        if children == 0 {
            0
        } else {
            children.div_ceil(size.saturating_sub(1).max(1))
        }
    };
    if children > 0 && (size < 2 || men + women < adults_for(children)) {
        return None;
    }
    let mut rooms = Vec::new();
    while men + women + children > 0 {
        let mut room = RoomFill::default();
        let mut space = size;
        if children > 0 {
            if women > 0 {
                women -= 1;
                room.women += 1;
            } else {
                men -= 1;
                room.men += 1;
            }
            let c = children.min(space - 1);
            room.children = c as u16;
            children -= c;
            space -= 1 + c;
        }
        while space > 0 && men + women > adults_for(children) {
            if women > 0 && (room.men == 0 || men == 0) {
                women -= 1;
                room.women += 1;
            } else {
                men -= 1;
                room.men += 1;
            }
            space -= 1;
        }
        rooms.push(room);
    }
    let (mut sf_men, mut sf_women, mut sf_children) = (f.sf_men, f.sf_women, f.sf_children);
    for room in &mut rooms {
        for (here, left) in [
            (room.men, &mut sf_men),
            (room.women, &mut sf_women),
            (room.children, &mut sf_children),
        ] {
            let n = here.min(*left);
            *left -= n;
            room.step_free += n;
        }
    }
    Some(rooms)
}

/// Whether a stay of `need` nights fits a limit of `max`.
pub(crate) fn nights_allowed(need: Option<u32>, max: Option<u32>) -> bool {
    match (need, max) {
        (Some(need), Some(max)) => need <= max,
        _ => true,
    }
}

/// Rounds a stay limit up to a common value, so that host families with limits of 13 and
/// 14 nights share a site type; `None` (no limit) beyond a year.
fn coarse_nights(max: u32) -> Option<u32> {
    const STEPS: [u32; 15] = [1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 365];
    STEPS.iter().copied().find(|&s| s >= max)
}

/// Layouts of a household at a site type that the house rules and the household allow.
pub(crate) fn type_patterns(f: &Feature, ty: &CType, relax: Relax) -> Vec<Pattern> {
    let mut out = Vec::new();
    if f.children > 0 && !ty.rules.children_allowed {
        return out;
    }
    if !nights_allowed(f.nights, ty.rules.max_nights) {
        return out;
    }
    let has = |k: PoolKind| ty.slots.binary_search(&k).is_ok();
    for &k in &ty.slots {
        match k {
            // A family room is the household's own, so sex-segregated sites may have them.
            PoolKind::FamilyRoom { room_size } if u32::from(room_size) >= f.n() => {
                out.push(Pattern::Whole(k));
            }
            PoolKind::FamilyRoom { room_size }
                if f.rooms && room_layout(f, room_size).is_some() =>
            {
                out.push(Pattern::Rooms(k));
            }
            PoolKind::Mixed if !ty.rules.sex_segregated => out.push(Pattern::Whole(k)),
            _ => {}
        }
    }
    let (men, wc) = (f.men > 0, f.wc() > 0);
    let accepts = f.accepts || relax.accept_separation;
    // Children sleep where an adult of their household sleeps: the women's group takes
    // them only if it has a woman in it.
    let wc_accompanied = f.children == 0 || f.women > 0 || relax.leave_children_alone;
    if men && !wc && has(PoolKind::MaleDorm) {
        out.push(Pattern::Men);
    }
    if wc && !men && wc_accompanied && has(PoolKind::FemaleDorm) {
        out.push(Pattern::Wc);
    }
    if men
        && wc
        && accepts
        && wc_accompanied
        && has(PoolKind::MaleDorm)
        && has(PoolKind::FemaleDorm)
    {
        out.push(Pattern::Separated);
    }
    if f.children > 0 && f.men == 0 && f.women == 0 && !relax.leave_children_alone {
        out.clear();
    }
    out
}

fn type_opt(f: &Feature, t: u32, ty: &CType, pattern: Pattern) -> TypeOpt {
    let mut usage = [(0u32, 0u32); 5];
    let mut n = 0usize;
    let kinds = match pattern {
        Pattern::Whole(k) | Pattern::Rooms(k) => [Some(k), None],
        Pattern::Men => [Some(PoolKind::MaleDorm), None],
        Pattern::Wc => [Some(PoolKind::FemaleDorm), None],
        Pattern::Separated => [Some(PoolKind::MaleDorm), Some(PoolKind::FemaleDorm)],
    };
    for (kind, (need, need_sf)) in kinds.iter().zip(pool_needs(f, pattern)) {
        if let Some(r) = kind.and_then(|k| ty.slot_res(k)) {
            usage[n] = (r, need);
            n += 1;
            if need_sf > 0 {
                usage[n] = (r + 1, need_sf);
                n += 1;
            }
        }
    }
    if let Some(r) = ty.intake_res() {
        usage[n] = (r, f.n());
        n += 1;
    }
    TypeOpt {
        ty: t,
        pattern,
        usage,
        nuse: n as u8,
    }
}

/// Great-circle distance, enough to compare travel between cities.
pub(crate) fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(men: u16, women: u16, children: u16, accepts: bool) -> Feature {
        Feature {
            men,
            women,
            children,
            sf_men: 0,
            sf_women: 0,
            sf_children: 0,
            accepts,
            rooms: false,
            nights: None,
        }
    }

    fn ty(segregated: bool, children: bool, slots: Vec<PoolKind>) -> CType {
        CType {
            city: 0,
            rules: HouseRules {
                sex_segregated: segregated,
                children_allowed: children,
                max_nights: None,
            },
            intake_limited: false,
            slots,
            res0: 0,
            sites: vec![],
        }
    }

    #[test]
    fn segregated_site_keeps_a_family_only_with_consent() {
        let t = ty(true, true, vec![PoolKind::MaleDorm, PoolKind::FemaleDorm]);
        assert!(type_patterns(&feature(1, 1, 1, false), &t, Relax::default()).is_empty());
        assert_eq!(
            type_patterns(&feature(1, 1, 1, true), &t, Relax::default()),
            vec![Pattern::Separated]
        );
    }

    #[test]
    fn children_never_go_with_the_men_group() {
        let t = ty(false, true, vec![PoolKind::MaleDorm]);
        assert!(type_patterns(&feature(1, 0, 2, true), &t, Relax::default()).is_empty());
    }

    #[test]
    fn children_are_never_separated_from_every_adult() {
        // A father alone with his children who accepts separation: the men's and women's
        // dormitories would leave the children without an adult, so no layout is allowed.
        let dorms = ty(false, true, vec![PoolKind::MaleDorm, PoolKind::FemaleDorm]);
        assert!(type_patterns(&feature(1, 0, 2, true), &dorms, Relax::default()).is_empty());
        // With the mother there, the children go with her.
        assert_eq!(
            type_patterns(&feature(1, 1, 2, true), &dorms, Relax::default()),
            vec![Pattern::Separated]
        );
        // Children on their own are never put in a dormitory.
        assert!(type_patterns(&feature(0, 0, 2, false), &dorms, Relax::default()).is_empty());
    }

    #[test]
    fn family_room_must_hold_the_whole_household() {
        let t = ty(false, true, vec![PoolKind::FamilyRoom { room_size: 4 }]);
        assert!(type_patterns(&feature(2, 2, 1, false), &t, Relax::default()).is_empty());
        assert_eq!(
            type_patterns(&feature(2, 2, 0, false), &t, Relax::default()).len(),
            1
        );
    }

    #[test]
    fn haversine_almaty_to_bishkek_is_about_200_km() {
        let d = haversine_km((43.24, 76.89), (42.87, 74.59));
        assert!((180.0..=210.0).contains(&d), "{d}");
    }
}
