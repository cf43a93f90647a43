import GRDB

/// The peer store's tables, as migrations: GRDB records the ones applied (`grdb_migrations`), and
/// a file written by a newer peerd (a migration this one does not know) is refused, not guessed.
enum PeerStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: peer, service_slot") { db in
            // One row per peer: `record` is ``PeerRow`` (every book); `stored_at` (Unix seconds)
            // is when the row was first written and `connected` whether the peer was ever
            // connected, so that peers never reached can expire.
            try db.execute(
                sql: """
                    CREATE TABLE peer (
                        peer_id BLOB PRIMARY KEY NOT NULL,
                        record BLOB NOT NULL,
                        stored_at INTEGER NOT NULL,
                        connected INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    CREATE TABLE service_slot (
                        protocol TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        peer_id BLOB NOT NULL,
                        PRIMARY KEY (protocol, position)
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }
}
