//! What the XLSX pre-scan costs, against the previous version on the same file in the same run.
//!
//!   cargo run --release -p innomesh-sheets --example prescan_bench -- [ROWS] [RUNS]
//!
//! Writes a ROWS × 15 sheet (default 100,000 rows: text, numbers and dates, like an
//! organisations import), then times, RUNS times each (default 5), interleaved:
//! - the previous pre-scan (a hand-written tag scanner, `prescan_bench/previous.rs`);
//! - the current one (calamine's own XML parser, `innomesh_sheets::check_xlsx_before_reading`);
//! - the whole `innomesh_sheets::read` (current pre-scan + calamine streaming the cells),
//!   for scale.
//!
//! Prints the medians and the ratio current / previous.

#[path = "prescan_bench/previous.rs"]
mod previous;

use innomesh_core::tabular::Cell;
#[allow(unused_imports)]
use innomesh_sheets::{
    read, write_xlsx, Format, Sheet, SheetError, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, MAX_PACK_RATIO,
    MAX_UNPACKED_BYTES,
};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let headers: Vec<String> = (0..15).map(|c| format!("列{c}")).collect();
    let data: Vec<Vec<Cell>> = (0..rows)
        .map(|r| {
            (0..15)
                .map(|c| match c % 3 {
                    0 => Cell::Text(format!("包头示例单位{r}-{c}")),
                    1 => Cell::Number((r * 15 + c) as f64 * 1.5),
                    _ => Cell::Text(format!("2024-{:02}-{:02}", r % 12 + 1, r % 28 + 1)),
                })
                .collect()
        })
        .collect();
    let bytes = write_xlsx(&[Sheet {
        name: "组织",
        headers: &headers,
        rows: &data,
    }])
    .expect("xlsx");
    println!(
        "{rows} rows × 15 columns, {:.1} MB XLSX, {runs} runs each",
        bytes.len() as f64 / 1e6
    );
    let (mut old, mut new, mut whole) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).expect("zip archive");
        previous::scan(&mut archive).expect("previous pre-scan");
        old.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        innomesh_sheets::check_xlsx_before_reading(&bytes).expect("pre-scan");
        new.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let table = read(&bytes, Format::Xlsx).expect("read");
        assert_eq!(table.rows.len(), rows);
        whole.push(t.elapsed().as_secs_f64());
    }
    let (old, new, whole) = (median(old), median(new), median(whole));
    println!("previous pre-scan (tag scanner):   {:8.1} ms", old * 1e3);
    println!("current pre-scan (calamine's XML): {:8.1} ms", new * 1e3);
    println!("whole read (current):              {:8.1} ms", whole * 1e3);
    println!(
        "ratio current / previous pre-scan: {:.2}; pre-scan share of the whole read: {:.0} %",
        new / old,
        new / whole * 100.0
    );
}
