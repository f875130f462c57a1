//! Benchmark of the optimiser against first-come-first-served and the proven bounds on
//! seeded, realistic instances. Run with
//! `cargo run --release --example placement_bench [-- [--quick] [--only "2k x 50"]]`;
//! prints a Markdown table.
//! Each row also shows the load average when it was measured, since the machine is shared.

use std::time::Instant;

use shanyrak_placement::{
    Method, Options, Problem, Solution, UnplacedReason, Violation, first_come_first_served, solve,
    solve_warm, verify,
};

#[path = "../tests/support/generate.rs"]
mod generate;

use generate::Shape;

struct Row {
    scenario: String,
    method: String,
    millis: f64,
    load: String,
    sol: Solution,
    violations: usize,
    unaccompanied: usize,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn run(scenario: &str, method: &str, problem: &Problem, f: impl FnOnce() -> Solution) -> Row {
    let load = load_average();
    let t = Instant::now();
    let sol = f();
    let millis = t.elapsed().as_secs_f64() * 1000.0;
    let violations = verify(problem, &sol.proposals);
    let unaccompanied = violations
        .iter()
        .filter(|v| matches!(v, Violation::ChildWithoutAdult { .. }))
        .count();
    Row {
        scenario: scenario.to_owned(),
        method: method.to_owned(),
        millis,
        load,
        sol,
        violations: violations.len(),
        unaccompanied,
    }
}

fn print(rows: &[Row]) {
    println!(
        "| scenario | method | time ms | load | placed hh | placed people | weighted coverage | objective | upper bound | bound on | gap | moved to another city (people) | mean km travelled | waiting: child without adult (hh) | children without an adult | violations | iterations / nodes |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let s = &r.sol.stats;
        let people: u32 = r.sol.proposals.iter().map(|p| p.people).sum();
        let km: f64 = r
            .sol
            .proposals
            .iter()
            .map(|p| p.reason.travel_km * f64::from(p.people))
            .sum();
        let waiting = r
            .sol
            .unplaced
            .iter()
            .filter(|u| u.reason == UnplacedReason::ChildWithoutAdult)
            .count();
        let effort = match s.method {
            Method::BranchAndBound => format!("{} / {}", s.iterations, s.exact_nodes),
            _ => s.iterations.to_string(),
        };
        println!(
            "| {} | {} | {:.0} | {} | {}/{} | {}/{} | {:.4} | {:.1} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {} |",
            r.scenario,
            r.method,
            r.millis,
            r.load,
            s.placed_households,
            s.households,
            s.placed_people,
            s.people,
            s.weighted_coverage,
            s.objective,
            s.upper_bound.map_or("-".to_owned(), |b| format!("{b:.1}")),
            match s.bound_measures {
                Some(shanyrak_placement::BoundMeasure::WeightedPeople) => "weighted people",
                Some(shanyrak_placement::BoundMeasure::WeightedPeopleLessTravel) =>
                    "people less travel",
                None => "-",
            },
            s.gap
                .map_or("-".to_owned(), |g| format!("{:.3}%", g * 100.0)),
            r.sol
                .proposals
                .iter()
                .filter(|p| !p.reason.in_preferred_city)
                .map(|p| p.people)
                .sum::<u32>(),
            if people > 0 {
                km / f64::from(people)
            } else {
                0.0
            },
            waiting,
            r.unaccompanied,
            r.violations,
            effort,
        );
    }
}

/// The same batch without the rule on children: a father alone with his children counted as
/// if the children were women, so that the men's and women's dormitories may split them as
/// before the rule (and sites refusing children take them too, so the difference is an
/// upper estimate of what the rule costs).
fn without_children_rule(problem: &Problem) -> Problem {
    let mut relaxed = problem.clone();
    for h in &mut relaxed.households {
        if h.men > 0 && h.women == 0 && h.children > 0 {
            h.women = h.children;
            h.children = 0;
            h.step_free.women = h.step_free.children;
            h.step_free.children = 0;
        }
    }
    relaxed
}

fn scenario(
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
    name: &str,
    shape: Shape,
    arrivals: usize,
    options: Options,
) {
    if let Some(only) = only()
        && name != only
    {
        return;
    }
    let problem = generate::problem(shape);
    let sizes =
        shanyrak_placement::model_sizes(&problem, &options).unwrap_or_else(|e| panic!("{e}"));
    sizes_note(name, &problem, sizes);
    let opt = run(name, "optimiser", &problem, || {
        solve(&problem, &options).unwrap_or_else(|e| panic!("{e}"))
    });
    let label = match opt.sol.stats.method {
        Method::BranchAndBound => "optimiser (branch and bound)",
        Method::RoundedLp => "optimiser (rounded LP)",
        _ => "optimiser (price search)",
    };
    let opt = Row {
        method: label.to_owned(),
        ..opt
    };
    let searched = opt.sol.stats.method != Method::PriceSearch;
    let relaxed = without_children_rule(&problem);
    let free = solve(&relaxed, &options).unwrap_or_else(|e| panic!("{e}"));
    let (with, without) = (opt.sol.stats.weighted_placed, free.stats.weighted_placed);
    notes.push(format!(
        "- {name}: without the rule on children the optimiser would place {:+.1} priority-weighted people ({:+.3}%), {:+} people",
        without - with,
        (without - with) / with.max(1e-9) * 100.0,
        free.stats.placed_people as i64 - opt.sol.stats.placed_people as i64,
    ));
    rows.push(opt);
    if searched {
        let search = Options {
            exact_max_households: 0,
            lp_max_households: 0,
            ..options.clone()
        };
        rows.push(run(name, "price search alone", &problem, || {
            solve(&problem, &search).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    rows.push(run(name, "first come first served", &problem, || {
        first_come_first_served(&problem, &options).unwrap_or_else(|e| panic!("{e}"))
    }));
    // Bound on priority-weighted people alone: the price search with travel free and a
    // long run.
    let pure = Options {
        travel_cost_per_km: 0.0,
        away_cost_per_km: 0.0,
        max_iterations: 1000,
        target_gap: 0.0,
        exact_max_households: 0,
        lp_max_households: 0,
        ..options.clone()
    };
    rows.push(run(
        name,
        "LP bound (travel free, 1000 it)",
        &problem,
        || solve(&problem, &pure).unwrap_or_else(|e| panic!("{e}")),
    ));
    if arrivals > 0 {
        let warm = rows
            .iter()
            .rev()
            .find(|r| r.method.starts_with("optimiser"))
            .map(|r| r.sol.warm_start.clone())
            .unwrap_or_default();
        let mut grown = problem.clone();
        grown.households.extend(generate::households(
            shape,
            arrivals,
            shape.households,
            shape.seed + 1,
        ));
        let label = format!("{name} +{arrivals} arrivals");
        rows.push(run(&label, "optimiser warm re-solve", &grown, || {
            solve_warm(&grown, &options, &warm).unwrap_or_else(|e| panic!("{e}"))
        }));
        rows.push(run(&label, "optimiser cold", &grown, || {
            solve(&grown, &options).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
}

fn sizes_note(name: &str, problem: &Problem, s: [usize; 5]) {
    let fathers = problem
        .households
        .iter()
        .filter(|h| h.men > 0 && h.women == 0 && h.children > 0)
        .count();
    let at_border = problem
        .households
        .iter()
        .filter(|h| h.current_position.is_some())
        .count();
    let large = problem.households.iter().filter(|h| h.size() > 6).count();
    println!(
        "- {name}: {fathers} fathers alone with children, {large} households of 7 or more, {at_border} waiting at a border post; {} household features, {} classes, {} site types, {} priced resources, {} type options",
        s[0], s[1], s[2], s[3], s[4]
    );
}

/// The scenario named after `--only`, if any (e.g. `--only "3k x 100"`), to rerun one row
/// while iterating.
fn only() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--only")?;
    args.get(at + 1).cloned()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    println!("Instances:");
    let d = Options::default;
    for seed in 1..=3 {
        let name = format!("200 x 20 (seed {seed})");
        scenario(
            &mut rows,
            &mut notes,
            &name,
            Shape::new(200, 20, seed),
            0,
            d(),
        );
    }
    scenario(
        &mut rows,
        &mut notes,
        "1k x 40",
        Shape::new(1_000, 40, 4),
        0,
        d(),
    );
    scenario(
        &mut rows,
        &mut notes,
        "2k x 50",
        Shape::new(2_000, 50, 1),
        0,
        d(),
    );
    scenario(
        &mut rows,
        &mut notes,
        "3k x 100",
        Shape::new(3_000, 100, 5),
        0,
        d(),
    );
    scenario(
        &mut rows,
        &mut notes,
        "20k x 500",
        Shape::new(20_000, 500, 2),
        1_000,
        d(),
    );
    let near = Options {
        max_travel_km: Some(300.0),
        ..d()
    };
    scenario(
        &mut rows,
        &mut notes,
        "20k x 500 (travel <= 300 km)",
        Shape::new(20_000, 500, 2),
        0,
        near.clone(),
    );
    if !quick {
        scenario(
            &mut rows,
            &mut notes,
            "100k x 5k",
            Shape::new(100_000, 5_000, 3),
            1_000,
            d(),
        );
        scenario(
            &mut rows,
            &mut notes,
            "100k x 5k (travel <= 300 km)",
            Shape::new(100_000, 5_000, 3),
            0,
            near,
        );
    }
    println!();
    print(&rows);
    println!();
    println!("What the rule on children costs:");
    for note in notes {
        println!("{note}");
    }
}
