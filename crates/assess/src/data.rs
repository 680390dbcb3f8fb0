//! Unit data as a table: first column the unit id, then one column per indicator id (CSV text;
//! a UTF-8 BOM from Excel is ignored). Reading the file is the caller's business.

use crate::framework::Framework;
use crate::Error;

/// Cells as text, by row; `header[0]` is the id column.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn from_csv(text: &str) -> Result<Table, Error> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut lines = Vec::new();
        for (i, r) in rd.records().enumerate() {
            let r = r.map_err(|e| Error::Input(format!("第 {} 行无法读取：{e}", i + 1)))?;
            lines.push((i + 1, r.iter().map(str::to_string).collect()));
        }
        Table::from_lines(lines)
    }

    /// From the lines of a sheet (1-based line number, cells as text); the first non-blank line is
    /// the header. Checks the shape: ids present and unique, headers present and unique.
    pub fn from_lines(lines: Vec<(usize, Vec<String>)>) -> Result<Table, Error> {
        let mut lines = lines
            .into_iter()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
        let header: Vec<String> = match lines.next() {
            Some((_, r)) => r.iter().map(|s| s.trim().to_string()).collect(),
            None => {
                return Err(Error::Input(
                    "文件为空：第一行应为表头（编号, 指标…）".into(),
                ))
            }
        };
        if header.len() < 2 {
            return Err(Error::Input(
                "表头至少需要两列：第一列为单位编号，其后为指标".into(),
            ));
        }
        for (j, h) in header.iter().enumerate().skip(1) {
            if h.is_empty() {
                return Err(Error::Input(format!("表头第 {} 列为空", j + 1)));
            }
            if header[1..j].contains(h) {
                return Err(Error::Input(format!("表头第 {} 列「{h}」重复", j + 1)));
            }
        }
        let mut rows = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for (line, r) in lines {
            let mut row: Vec<String> = r.iter().map(|s| s.trim().to_string()).collect();
            // Trailing empty cells (a spreadsheet's ragged right edge) are not extra columns.
            while row.len() > header.len() && row.last().is_some_and(String::is_empty) {
                row.pop();
            }
            if row.len() > header.len() {
                return Err(Error::Input(format!(
                    "第 {line} 行有 {} 列，表头有 {} 列",
                    row.len(),
                    header.len()
                )));
            }
            row.resize(header.len(), String::new());
            if row[0].is_empty() {
                return Err(Error::Input(format!("第 {line} 行第 1 列（编号）为空")));
            }
            if !ids.insert(row[0].clone()) {
                return Err(Error::Input(format!("第 {line} 行编号「{}」重复", row[0])));
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(Error::Input("没有数据行".into()));
        }
        Ok(Table { header, rows })
    }

    /// All columns as numbers (the entropy command): no gaps allowed.
    pub fn numeric(&self) -> Result<Vec<Vec<f64>>, Error> {
        let mut out = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            let mut r = Vec::with_capacity(row.len() - 1);
            for (j, c) in row.iter().enumerate().skip(1) {
                match c.parse::<f64>() {
                    Ok(x) if x.is_finite() => r.push(x),
                    _ => {
                        return Err(Error::Input(format!(
                            "编号「{}」的「{}」列「{c}」不是数值",
                            row[0], self.header[j]
                        )))
                    }
                }
            }
            out.push(r);
        }
        Ok(out)
    }
}

/// Unit figures bound to a framework: `values[indicator][unit]`, in the framework's indicator order.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub units: Vec<String>,
    pub values: Vec<Vec<Option<f64>>>,
}

impl Dataset {
    /// Binds a table to a framework: every indicator needs a column (extra columns are an error,
    /// so a misspelt header is not silently ignored); cells are numbers, rubric grades or empty.
    pub fn bind(framework: &Framework, table: &Table) -> Result<Dataset, Error> {
        let mut cols = Vec::new();
        let mut missing = Vec::new();
        for (_, ind) in framework.indicators() {
            match table
                .header
                .iter()
                .skip(1)
                .position(|h| *h == ind.id || *h == ind.name)
            {
                Some(p) => cols.push((p + 1, ind)),
                None => missing.push(format!("{}（{}）", ind.id, ind.name)),
            }
        }
        if !missing.is_empty() {
            return Err(Error::Input(format!(
                "数据缺少指标列：{}",
                missing.join("、")
            )));
        }
        let used: Vec<usize> = cols.iter().map(|(c, _)| *c).collect();
        let extra: Vec<&str> = (1..table.header.len())
            .filter(|c| !used.contains(c))
            .map(|c| table.header[c].as_str())
            .collect();
        if !extra.is_empty() {
            return Err(Error::Input(format!(
                "数据有指标体系「{}」中没有的列：{}",
                framework.name,
                extra.join("、")
            )));
        }
        let mut values = Vec::with_capacity(cols.len());
        for (c, ind) in cols {
            let mut col = Vec::with_capacity(table.rows.len());
            for row in &table.rows {
                col.push(ind.parse_value(&row[c]).map_err(|m| {
                    Error::Input(format!("编号「{}」的指标「{}」：{m}", row[0], ind.name))
                })?);
            }
            values.push(col);
        }
        Ok(Dataset {
            units: table.rows.iter().map(|r| r[0].clone()).collect(),
            values,
        })
    }
}
