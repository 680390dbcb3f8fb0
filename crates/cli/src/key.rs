//! `key rotate`: a new personal-data key, every personal value re-sealed with it in one
//! transaction, the old key file kept aside.

use crate::DataDir;
use indicatif::{ProgressBar, ProgressStyle};
use innomesh_store::{Actor, KeyOrigin};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum KeyCommand {
    /// New key for personal data; re-encrypts every personal value (轮换个人信息密钥)
    Rotate(RotateArgs),
}

#[derive(clap::Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub dir: DataDir,
}

pub fn run(cmd: KeyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeyCommand::Rotate(a) => rotate(a),
    }
}

fn rotate(a: RotateArgs) -> anyhow::Result<ExitCode> {
    let store = crate::serve::open_store(&a.dir)?;
    let origin = store.key_origin().clone();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("重新加密个人信息 {bar:40} {pos}/{len} 条记录 {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let done = store
        .rotate_key(&Actor::system("cli"), &|seen, total| {
            bar.set_length(total as u64);
            bar.set_position(seen as u64);
        })
        .map_err(|e| anyhow::anyhow!("{e}（数据库与密钥均未改变）"))?;
    bar.finish_and_clear();
    println!(
        "已轮换个人信息密钥：{} → {}，重新加密 {} 条记录中的个人信息",
        done.old_id, done.new_id, done.records
    );
    match (&done.key_file, &done.retired) {
        (Some(file), Some(retired)) => {
            println!("新密钥：{}", file.display());
            println!(
                "旧密钥已改名为 {}：仍可用它读取轮换前的数据库备份；确认不再需要这些备份后请安全删除",
                retired.display()
            );
        }
        _ if origin == KeyOrigin::Environment => println!(
            "请把环境变量 {} 改设为 {} 的值，否则下次启动将因密钥不符而拒绝打开数据库",
            innomesh_store::KEY_ENV,
            innomesh_store::NEW_KEY_ENV
        ),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}
