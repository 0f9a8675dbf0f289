-- 007: the watcher's heartbeat counter, by which a host measures how far each replica is
-- behind the primary.
--
-- While db_replicas is set, each host's watcher stores a new value of beat in its row every
-- 100 ms (on the primary) and reads its row back from every replica: a replica showing beat
-- n has applied everything the primary committed before beat n was sent, so it is at most
-- (now - the time beat n was sent) behind, measured on the host's own clock (no clock of
-- another machine is compared). src/heartbeat.c and src/store/replicas.h explain the rest.
ALTER TABLE blogd_host ADD COLUMN beat BIGINT UNSIGNED NOT NULL DEFAULT 0;
