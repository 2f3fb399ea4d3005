//! A fresh, empty database per test, removed when the test ends (even by panic).
//!
//! The engine comes from `SELDINGER_TEST_DATABASE`: unset or `sqlite`, a file in a
//! temporary directory; a `postgres://` URL, a new database created on that server for
//! this test alone and dropped afterwards.
//!
//! [`Relay`] stands between a store and its PostgreSQL server, so that a test can make
//! the server stop answering, go away, and come back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, Database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{Store, StoreOptions};

pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        match std::env::var("SELDINGER_TEST_DATABASE") {
            Ok(admin) if admin.starts_with("postgres") => {
                let db_name = format!("seldinger_test_{}", uuid::Uuid::now_v7().simple());
                let admin_db = Database::connect(admin.as_str()).await.unwrap_or_else(|e| {
                    panic!("SELDINGER_TEST_DATABASE is set but PostgreSQL does not answer: {e}")
                });
                admin_db
                    .execute_unprepared(&format!("CREATE DATABASE {db_name}"))
                    .await
                    .expect("create the test database");
                let _ = admin_db.close().await;
                let (base, _) = admin
                    .rsplit_once('/')
                    .expect("a postgres URL has a database path");
                Self {
                    url: format!("{base}/{db_name}"),
                    _dir: None,
                    postgres: Some((admin, db_name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
        }
    }

    /// A migrated store on this database, with the default options.
    pub async fn store(&self) -> Store {
        self.store_with(|_| {}).await
    }

    /// A migrated store on this database, with options changed by `configure` (a zone,
    /// a smaller pool…).
    pub async fn store_with(&self, configure: impl FnOnce(&mut StoreOptions)) -> Store {
        let mut options = StoreOptions::new(self.url.clone());
        configure(&mut options);
        let store = Store::connect(&options)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }
}

impl TestDatabase {
    /// On PostgreSQL, a relay to this database's server and the URL of this database
    /// through it; `None` on SQLite (an embedded file does not go away on its own).
    pub async fn relayed(&self) -> Option<(Relay, String)> {
        self.postgres.as_ref()?;
        // postgres://USER@HOST:PORT/DB → HOST:PORT, which the relay forwards to.
        let (scheme_and_user, rest) = self.url.rsplit_once('@')?;
        let (server, db_name) = rest.split_once('/')?;
        let server = if server.contains(':') {
            server.to_string()
        } else {
            format!("{server}:5432")
        };
        let upstream = tokio::net::lookup_host(server).await.ok()?.next()?;
        let relay = Relay::start(upstream).await.ok()?;
        let url = format!("{scheme_and_user}@{}/{db_name}", relay.addr());
        Some((relay, url))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, db_name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime: drop the database from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let db = Database::connect(admin.as_str()).await.ok()?;
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
                    .await
                    .ok()?;
                db.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop a test database");
        }
    }
}

impl Store {
    /// The raw connection, for tests that must try what the interface forbids.
    pub fn raw_connection(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Open,
    /// Connections stay open but no byte passes, and new ones are accepted and never
    /// answered: a server that stopped answering (a network partition, a hung host).
    Frozen,
}

/// A TCP relay to a database server that a test can freeze, cut and restore, on the same
/// port. Everything it runs stops when it is dropped.
pub struct Relay {
    addr: SocketAddr,
    upstream: SocketAddr,
    flow: watch::Sender<Flow>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let (flow, _) = watch::channel(Flow::Open);
        let mut relay = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            upstream,
            flow,
            tasks: Arc::default(),
        };
        relay.addr = relay.listen().await?;
        Ok(relay)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server stops answering: bytes stop flowing both ways, connections stay open.
    pub fn freeze(&self) {
        self.flow.send_replace(Flow::Frozen);
    }

    /// The server goes away: the port refuses connections and every relayed one closes.
    pub async fn cut(&self) {
        for task in self.take_tasks() {
            task.abort();
            let _ = task.await;
        }
    }

    /// The server answers again, on the same port.
    pub async fn restore(&self) -> std::io::Result<()> {
        self.flow.send_replace(Flow::Open);
        let listening = self
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|t| !t.is_finished());
        if !listening {
            self.listen().await?;
        }
        Ok(())
    }

    fn take_tasks(&self) -> Vec<JoinHandle<()>> {
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain(..)
            .collect()
    }

    fn keep(tasks: &Mutex<Vec<JoinHandle<()>>>, task: JoinHandle<()>) {
        tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(task);
    }

    async fn listen(&self) -> std::io::Result<SocketAddr> {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(self.addr)?;
        let listener: TcpListener = socket.listen(64)?;
        let addr = listener.local_addr()?;
        let (upstream, tasks, flow) = (self.upstream, self.tasks.clone(), self.flow.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let pipe = tokio::spawn(relay(client, upstream, flow.subscribe()));
                Relay::keep(&tasks, pipe);
            }
        });
        Relay::keep(&self.tasks, accept);
        Ok(addr)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        for task in self.take_tasks() {
            task.abort();
        }
    }
}

/// One relayed connection: connects upstream once the flow is open, then pumps both
/// ways until either side closes.
async fn relay(client: TcpStream, upstream: SocketAddr, mut flow: watch::Receiver<Flow>) {
    if flow.wait_for(|f| *f == Flow::Open).await.is_err() {
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::select! {
        () = pump(client_read, server_write, flow.clone()) => {}
        () = pump(server_read, client_write, flow) => {}
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut flow: watch::Receiver<Flow>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        if flow.wait_for(|f| *f == Flow::Open).await.is_err() {
            return;
        }
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            // Frozen while waiting for bytes: wait for the flow again before reading.
            changed = flow.changed() => match changed {
                Ok(()) => continue,
                Err(_) => return,
            },
        };
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        // Bytes read just before a freeze wait for the thaw.
        if flow.wait_for(|f| *f == Flow::Open).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
