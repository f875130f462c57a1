//! Benchmark of the optimiser against first-come-first-served and the LP bound on seeded,
//! realistic instances. Run with
//! `cargo run --release --example placement_bench [-- --quick]`; prints a Markdown table.

use std::time::Instant;

use shanyrak_placement::{
    Options, Problem, Solution, first_come_first_served, solve, solve_warm, verify,
};

#[path = "../tests/support/generate.rs"]
mod generate;

use generate::Shape;

struct Row {
    scenario: String,
    method: &'static str,
    millis: f64,
    sol: Solution,
    splits: usize,
    violations: usize,
    coverage_bound: Option<f64>,
}

fn run(
    scenario: &str,
    method: &'static str,
    problem: &Problem,
    f: impl FnOnce() -> Solution,
) -> Row {
    let t = Instant::now();
    let sol = f();
    let millis = t.elapsed().as_secs_f64() * 1000.0;
    let violations = verify(problem, &sol.proposals);
    let splits = violations
        .iter()
        .filter(|v| {
            matches!(
                v,
                shanyrak_placement::Violation::SplitAcrossSites { .. }
                    | shanyrak_placement::Violation::IncompleteHousehold { .. }
            )
        })
        .count();
    Row {
        scenario: scenario.to_owned(),
        method,
        millis,
        sol,
        splits,
        violations: violations.len(),
        coverage_bound: None,
    }
}

fn print(rows: &[Row]) {
    println!(
        "| scenario | method | time ms | placed hh | placed people | weighted coverage | bound on coverage | objective | upper bound | gap | people moved to another city | splits | violations | iters |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let s = &r.sol.stats;
        println!(
            "| {} | {} | {:.0} | {}/{} | {}/{} | {:.4} | {} | {:.1} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.method,
            r.millis,
            s.placed_households,
            s.households,
            s.placed_people,
            s.people,
            s.weighted_coverage,
            r.coverage_bound
                .map_or("-".to_owned(), |b| format!("{b:.4}")),
            s.objective,
            s.upper_bound.map_or("-".to_owned(), |b| format!("{b:.1}")),
            s.gap
                .map_or("-".to_owned(), |g| format!("{:.3}%", g * 100.0)),
            r.sol
                .proposals
                .iter()
                .filter(|p| !p.reason.in_preferred_city)
                .map(|p| p.people)
                .sum::<u32>(),
            r.splits,
            r.violations,
            s.iterations,
        );
    }
}

fn scenario(rows: &mut Vec<Row>, name: &str, shape: Shape, arrivals: usize, options: Options) {
    let problem = generate::problem(shape);
    let sizes =
        shanyrak_placement::model_sizes(&problem, &options).unwrap_or_else(|e| panic!("{e}"));
    sizes_note(name, sizes);
    let opt = run(name, "optimiser", &problem, || {
        solve(&problem, &options).unwrap_or_else(|e| panic!("{e}"))
    });
    // Bound on priority-weighted people alone: the same search with travel free and a long run.
    let pure = Options {
        travel_cost_per_km: 0.0,
        max_iterations: 1000,
        target_gap: 0.0,
        ..options.clone()
    };
    let t = Instant::now();
    let bound_sol = solve(&problem, &pure).unwrap_or_else(|e| panic!("{e}"));
    let bound_ms = t.elapsed().as_secs_f64() * 1000.0;
    let bound = bound_sol.stats.upper_bound.unwrap_or(0.0);
    let cov_bound = bound / bound_sol.stats.weighted_demand.max(1e-9);
    let fcfs = run(name, "first come first served", &problem, || {
        first_come_first_served(&problem, &options).unwrap_or_else(|e| panic!("{e}"))
    });
    let mut bound_row = run(name, "LP bound (travel free, 1000 it)", &problem, || {
        bound_sol.clone()
    });
    bound_row.millis = bound_ms;
    for mut r in [opt, fcfs, bound_row] {
        r.coverage_bound = Some(cov_bound);
        rows.push(r);
    }
    if arrivals > 0 {
        let warm = rows
            .iter()
            .rev()
            .find(|r| r.method == "optimiser")
            .map(|r| r.sol.warm_start.clone());
        let mut grown = problem.clone();
        grown.households.extend(generate::households(
            shape,
            arrivals,
            shape.households,
            shape.seed + 1,
        ));
        let label = format!("{name} +{arrivals} arrivals");
        let warm = warm.unwrap_or_default();
        rows.push(run(&label, "optimiser warm re-solve", &grown, || {
            solve_warm(&grown, &options, &warm).unwrap_or_else(|e| panic!("{e}"))
        }));
        rows.push(run(&label, "optimiser cold", &grown, || {
            solve(&grown, &options).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
}

fn sizes_note(name: &str, s: [usize; 5]) {
    println!(
        "- {name}: {} household features, {} classes, {} site types, {} priced resources, {} type options",
        s[0], s[1], s[2], s[3], s[4]
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut rows = Vec::new();
    println!("Aggregated model sizes:");
    let d = Options::default;
    scenario(&mut rows, "2k x 50", Shape::new(2_000, 50, 1), 0, d());
    scenario(
        &mut rows,
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
        "20k x 500 (travel <= 300 km)",
        Shape::new(20_000, 500, 2),
        0,
        near,
    );
    if !quick {
        scenario(
            &mut rows,
            "100k x 5k",
            Shape::new(100_000, 5_000, 3),
            1_000,
            d(),
        );
        let near = Options {
            max_travel_km: Some(300.0),
            ..d()
        };
        let shape = Shape::new(100_000, 5_000, 3);
        scenario(&mut rows, "100k x 5k (travel <= 300 km)", shape, 0, near);
    }
    println!();
    print(&rows);
}
