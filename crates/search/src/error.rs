//! Errors of the search index.

/// An index could not be opened, written or read.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("无法打开搜索索引目录：{0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("无法创建搜索索引目录：{0}")]
    Io(#[from] std::io::Error),
    #[error("搜索索引写入锁已损坏")]
    Poisoned,
    /// The records to index could not be read (from the store).
    #[error("读取待索引记录失败：{0}")]
    Source(String),
}
