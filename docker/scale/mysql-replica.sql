-- Run once by the replica's first start: follow the primary from its first transaction (GTID
-- auto-position), so the lmp database, its user and the schema all arrive by replication.
-- GET_SOURCE_PUBLIC_KEY lets the replication account's caching_sha2_password work without TLS
-- on the private network. read_only keeps the application's user from writing here.
RESET BINARY LOGS AND GTIDS;
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST = 'mysql',
  SOURCE_PORT = 3306,
  SOURCE_USER = 'repl',
  SOURCE_PASSWORD = 'repl',
  SOURCE_AUTO_POSITION = 1,
  SOURCE_CONNECT_RETRY = 5,
  GET_SOURCE_PUBLIC_KEY = 1;
START REPLICA;
SET PERSIST read_only = ON;
