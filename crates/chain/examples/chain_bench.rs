//! Benchmark of the chain engine on a deterministic synthetic dataset.
//!
//! `cargo run --release -p innomesh-chain --example chain_bench -- [--orgs N] [--supplies M]
//!  [--naive-orgs n] [--queries Q] [--runs R] [--threads T]`
//!
//! Times (a) mapping + supply resolution (`Engine::build`), (b) metrics + diagnosis of all four
//! shipped chains, (c) referral-path queries (p50/p99), and compares each with a naive peer
//! on the same input in the same run (the naive diagnosis on a smaller slice, since it scans
//! every organisation and supply once per node).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use innomesh_chain::*;

/// splitmix64: deterministic, seedable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FILLER: [&str; 6] = [
    "机械加工",
    "零部件",
    "技术服务",
    "批发零售",
    "工程施工",
    "配套产品",
];
const OTHER_CODES: [&str; 8] = [
    "C1311", "C3011", "F5164", "E4813", "C3360", "I6513", "C2929", "M7320",
];

fn generate(chains: &ChainSet, n_orgs: usize, n_supplies: usize, seed: u64) -> ChainInput {
    let mut r = Rng(seed);
    let nodes = chains.nodes();
    let mut orgs = Vec::with_capacity(n_orgs);
    for i in 0..n_orgs {
        let local = r.below(100) < 15;
        let node = &nodes[r.below(nodes.len() as u64) as usize];
        let industry = if r.below(100) < 60 && !node.industries.is_empty() {
            let c = &node.industries[r.below(node.industries.len() as u64) as usize];
            format!("C{c}")
        } else {
            OTHER_CODES[r.below(8) as usize].to_string()
        };
        let mut products = String::new();
        if r.below(100) < 50 && !node.keywords.is_empty() {
            products.push_str(&node.keywords[r.below(node.keywords.len() as u64) as usize]);
            products.push('、');
        }
        products.push_str(FILLER[r.below(6) as usize]);
        products.push('、');
        products.push_str(FILLER[r.below(6) as usize]);
        // heavy-tailed size
        let u = r.unit().max(1e-9);
        let employees = (5.0 / u.powf(0.8)).min(50_000.0) as u32;
        let revenue = (employees as f64 * (20.0 + 80.0 * r.unit())).round();
        orgs.push(OrgInput {
            credit_code: format!("9115{:014}", i),
            name: format!("企业{i}"),
            region: if local {
                "150203".into()
            } else {
                "320505".into()
            },
            local,
            industry,
            products,
            employees,
            revenue,
            founded: Some(1990 + r.below(35) as u16),
            baotou_founder: !local && r.below(100) < 2,
        });
    }
    let mut supplies = Vec::with_capacity(n_supplies);
    for _ in 0..n_supplies {
        let supplier = r.below(n_orgs as u64) as u32;
        // half the purchases are by local customers
        let customer = loop {
            let c = r.below(n_orgs as u64) as u32;
            if orgs[c as usize].local == (r.below(2) == 0) || r.below(4) == 0 {
                break c;
            }
        };
        let product = (r.below(100) < 2).then(|| {
            let node = &nodes[r.below(nodes.len() as u64) as usize];
            node.keywords.first().cloned().unwrap_or_default()
        });
        supplies.push(SupplyInput {
            supplier,
            customer,
            node: None,
            product,
            amount: (10.0 + 990.0 * r.unit()).round(),
            year: 2022 + r.below(4) as u16,
        });
    }
    let mut relations: Vec<RelationInput> = supplies
        .iter()
        .map(|s| RelationInput {
            from: s.supplier,
            to: s.customer,
            kind: RelationKind::Supplier,
        })
        .collect();
    for k in 0..n_orgs / 5 {
        let kind = if k % 3 == 0 {
            RelationKind::SameGroup
        } else {
            RelationKind::SharedShareholder
        };
        relations.push(RelationInput {
            from: r.below(n_orgs as u64) as u32,
            to: r.below(n_orgs as u64) as u32,
            kind,
        });
    }
    let mut resources = Vec::new();
    for k in 0..n_orgs / 100 {
        let kind = [
            ResourceKind::Platform,
            ResourceKind::Expert,
            ResourceKind::Achievement,
            ResourceKind::Demand,
        ][k % 4];
        resources.push(ResourceInput {
            kind,
            name: format!("资源{k}"),
            org: Some(r.below(n_orgs as u64) as u32),
            node: None,
            open: k % 8 == 3,
        });
    }
    ChainInput {
        orgs,
        supplies,
        relations,
        resources,
        overrides: Vec::new(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// The obvious referral query: BFS from the target with a fresh HashMap and VecDeque.
fn naive_referral(
    rels: &[RelationInput],
    adj: &HashMap<u32, Vec<u32>>,
    local: &[bool],
    target: u32,
) -> Option<usize> {
    let _ = rels;
    let mut seen: HashMap<u32, usize> = HashMap::new();
    let mut q = VecDeque::new();
    seen.insert(target, 0);
    q.push_back(target);
    while let Some(v) = q.pop_front() {
        let d = seen[&v];
        if local[v as usize] {
            return Some(d);
        }
        for &w in adj.get(&v).map(|x| x.as_slice()).unwrap_or(&[]) {
            if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(w) {
                e.insert(d + 1);
                q.push_back(w);
            }
        }
    }
    None
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n_orgs = arg("--orgs", 1_000_000);
    let n_supplies = arg("--supplies", 5_000_000);
    let naive_orgs = arg("--naive-orgs", 100_000);
    let queries = arg("--queries", 1_000);
    let runs = arg("--runs", 5).max(1);
    let threads = arg("--threads", 2).max(1);
    let chains = ChainSet::from_json_texts(&shipped_models()).expect("shipped models");
    let rules = DiagnosisRules::default();
    let mcfg = MappingConfig {
        threads,
        ..Default::default()
    };
    println!(
        "chains: {} nodes in {} chains; threads = {threads}",
        chains.nodes().len(),
        chains.chains().len()
    );

    let t = Instant::now();
    let input = generate(&chains, n_orgs, n_supplies, 42);
    println!(
        "generated {n_orgs} orgs, {n_supplies} supplies, {} relations in {:.0} ms",
        input.relations.len(),
        ms(t.elapsed())
    );

    // (a) + (b): full pipeline, several runs; build consumes the input, so clone per run.
    let mut build_ms = Vec::new();
    let mut diag_ms = Vec::new();
    let mut engine = None;
    for run in 0..runs {
        let inp = input.clone();
        let t = Instant::now();
        let e = Engine::build(chains.clone(), inp, mcfg.clone()).expect("build");
        build_ms.push(ms(t.elapsed()));
        let t = Instant::now();
        let (metrics, diagnoses) = e.diagnose(&MetricsConfig::default(), &rules);
        diag_ms.push(ms(t.elapsed()));
        if run == 0 {
            let verdicts: usize = diagnoses.iter().map(|d| d.verdicts.len()).sum();
            let firms: u32 = metrics.iter().map(|m| m.local_firms).sum();
            println!(
                "memberships {}, local memberships {firms}, verdicts {verdicts}",
                e.mapping().len()
            );
        }
        engine = Some(e);
    }
    let e = engine.expect("engine");
    let total: Vec<f64> = build_ms.iter().zip(&diag_ms).map(|(a, b)| a + b).collect();
    let (mut b, mut d, mut tt) = (build_ms.clone(), diag_ms.clone(), total.clone());
    let round = |v: &[f64]| v.iter().map(|x| x.round() as i64).collect::<Vec<_>>();
    println!(
        "per run, build ms {:?}, diagnose ms {:?}",
        round(&build_ms),
        round(&diag_ms)
    );
    println!(
        "mapping+resolve (Engine::build): median {:.0} ms | metrics+diagnosis: median {:.0} ms | total median {:.0} ms, max {:.0} ms  ({runs} runs)",
        percentile(&mut b, 0.5),
        percentile(&mut d, 0.5),
        percentile(&mut tt, 0.5),
        total.iter().cloned().fold(0.0, f64::max)
    );
    let mut year_ms = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(e.diagnose(&MetricsConfig { year: Some(2025) }, &rules));
        year_ms.push(ms(t.elapsed()));
    }
    let (metrics, diagnoses) = last.expect("runs >= 1");
    println!(
        "metrics+diagnosis, headline year 2025, engine reused: median {:.0} ms (runs: {:?})",
        percentile(&mut year_ms.clone(), 0.5),
        year_ms.iter().map(|x| x.round() as i64).collect::<Vec<_>>()
    );
    // Targets for every gap node.
    let t = Instant::now();
    let g = e.relation_graph();
    println!(
        "relation graph CSR: {} orgs, {} adjacency entries, built in {:.0} ms",
        g.node_count(),
        g.edge_count(),
        ms(t.elapsed())
    );
    let t = Instant::now();
    let reports = e
        .chain_reports(&ReportConfig::default(), &[])
        .expect("reports");
    let json = serde_json::to_string(&reports).expect("json");
    println!(
        "chain reports (metrics + diagnosis + top-10 targets with referral paths per gap node) + JSON ({} KB): {:.0} ms",
        json.len() / 1024,
        ms(t.elapsed())
    );

    let t = Instant::now();
    let mut n_targets = 0;
    let mut first_target = None;
    for dg in &diagnoses {
        if dg.verdicts.iter().any(|v| v.kind.is_gap()) {
            let ts = e
                .investment_targets(&dg.node, &TargetingConfig::default())
                .expect("targets");
            if first_target.is_none() {
                first_target = ts.first().map(|x| (dg.node.clone(), x.org));
            }
            n_targets += ts.len();
        }
    }
    println!(
        "investment targets for all gap nodes: {n_targets} targets in {:.0} ms",
        ms(t.elapsed())
    );
    if let Some((node, org)) = first_target {
        let t = Instant::now();
        let sim = e.simulate(&metrics, &rules, org, &node).expect("simulate");
        println!(
            "simulation: {:.1} ms — {}",
            ms(t.elapsed()),
            sim.explanation
        );
    }

    // (c) referral paths.
    let mut r = Rng(7);
    let local = e.local_flags();
    let targets: Vec<u32> = (0..queries)
        .map(|_| loop {
            let x = r.below(local.len() as u64) as u32;
            if !local[x as usize] {
                break x;
            }
        })
        .collect();
    let mut scratch = ReferralScratch::default();
    let mut lat = Vec::new();
    let mut hops = Vec::new();
    for &x in &targets {
        let t = Instant::now();
        let p = e.referral_path(x, &mut scratch);
        lat.push(ms(t.elapsed()));
        hops.push(p.map(|p| p.hops.len()));
    }
    let found = hops.iter().filter(|h| h.is_some()).count();
    let maxq = lat.iter().cloned().fold(0.0, f64::max);
    println!(
        "referral BFS per query ({queries} queries, {found} found): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        percentile(&mut lat, 0.5),
        percentile(&mut lat, 0.99),
        maxq
    );
    // Stress case: only 100 local firms, so most searches explore a large part of the graph.
    let mut sparse = vec![false; local.len()];
    for v in local
        .iter()
        .enumerate()
        .filter(|(_, &l)| l)
        .map(|(i, _)| i)
        .take(100)
    {
        sparse[v] = true;
    }
    let mut lat_sparse = Vec::new();
    let mut hops_sparse = Vec::new();
    for &x in targets.iter().take(200) {
        let t = Instant::now();
        let p = shortest_referral_path(g, &sparse, &e.input().orgs, x, &mut scratch);
        lat_sparse.push(ms(t.elapsed()));
        hops_sparse.push(p.map(|p| p.hops.len()).unwrap_or(0));
    }
    let max_sparse = lat_sparse.iter().cloned().fold(0.0, f64::max);
    println!(
        "referral BFS, stress case with only 100 local firms ({} queries, mean {:.1} hops): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lat_sparse.len(),
        hops_sparse.iter().sum::<usize>() as f64 / hops_sparse.len().max(1) as f64,
        percentile(&mut lat_sparse, 0.5),
        percentile(&mut lat_sparse, 0.99),
        max_sparse
    );
    let t = Instant::now();
    let idx = ReferralIndex::build(g, local);
    println!(
        "referral index (multi-source BFS from all local firms): built in {:.0} ms",
        ms(t.elapsed())
    );
    let mut lat2 = Vec::new();
    for (k, &x) in targets.iter().enumerate() {
        let t = Instant::now();
        let p = idx.path(&e.input().orgs, x);
        lat2.push(ms(t.elapsed()));
        assert_eq!(
            p.map(|p| p.hops.len()),
            hops[k],
            "index and BFS disagree on distance"
        );
    }
    println!(
        "referral index per query: p50 {:.4} ms, p99 {:.4} ms",
        percentile(&mut lat2, 0.5),
        percentile(&mut lat2, 0.99)
    );
    // naive peer: HashMap adjacency, fresh HashMap/VecDeque per query
    let t = Instant::now();
    let mut adj: HashMap<u32, Vec<u32>> = HashMap::new();
    for rel in &e.input().relations {
        if rel.from != rel.to {
            adj.entry(rel.from).or_default().push(rel.to);
            adj.entry(rel.to).or_default().push(rel.from);
        }
    }
    println!(
        "naive peer adjacency (HashMap) built in {:.0} ms",
        ms(t.elapsed())
    );
    let nq = queries.min(200);
    let mut lat3 = Vec::new();
    for (k, &x) in targets.iter().take(nq).enumerate() {
        let t = Instant::now();
        let d = naive_referral(&e.input().relations, &adj, local, x);
        lat3.push(ms(t.elapsed()));
        assert_eq!(d, hops[k], "naive and CSR BFS disagree on distance");
    }
    let p50_naive = percentile(&mut lat3, 0.5);
    let mut lat_first: Vec<f64> = lat.iter().take(nq).cloned().collect();
    println!(
        "naive referral per query ({nq} queries): p50 {:.3} ms, p99 {:.3} ms → CSR BFS is {:.1}× faster at p50",
        p50_naive,
        percentile(&mut lat3, 0.99),
        p50_naive / percentile(&mut lat_first, 0.5).max(1e-6)
    );
    drop(adj);
    // Freed only now: glibc consolidates millions of freed small strings on the next large
    // allocation, which would otherwise land inside a timed section.
    drop(input);
    drop(e);

    // Naive diagnosis peer on a slice.
    let no = naive_orgs.min(n_orgs);
    let ns = (n_supplies as f64 * no as f64 / n_orgs as f64) as usize;
    let small = generate(&chains, no, ns, 43);
    let t = Instant::now();
    let naive = naive_metrics(&chains, &small, &mcfg, &MetricsConfig::default());
    let _ = diagnose(&chains, &naive, &rules);
    let naive_ms = ms(t.elapsed());
    let t = Instant::now();
    let es = Engine::build(chains.clone(), small, mcfg.clone()).expect("build");
    let (fast, _) = es.diagnose(&MetricsConfig::default(), &rules);
    let fast_ms = ms(t.elapsed());
    println!(
        "naive per-node scan on {no} orgs / {ns} supplies: {naive_ms:.0} ms; indexed engine (build + diagnose) {fast_ms:.0} ms → {:.1}× faster; results agree: {}",
        naive_ms / fast_ms.max(1e-6),
        metrics_agree(&fast, &naive)
    );
}
