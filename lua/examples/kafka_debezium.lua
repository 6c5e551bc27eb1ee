-- kafka_debezium.lua: every change to Kafka as a Debezium event, one topic
-- per table (<prefix>.<schema>.<table>, as Debezium names them), keyed by
-- the table's primary key ({"id":1}), so that consumers written for
-- Debezium's PostgreSQL connector (JSON, schemas off) read walhook's.
--
--   walhook -d "dbname=source_rep" -S kafka_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set brokers=localhost:9092 --set prefix=pg \
--           lua/examples/kafka_debezium.lua
--
--   kcat -C -b localhost:9092 -t pg.public.test_rep -f '%k %s\n'
--
-- A transaction is confirmed once every broker that must has acknowledged
-- every message of it (an idempotent producer, acks=all): at least once.
-- Give transactional_id = "..." for exactly once (each batch a Kafka
-- transaction with its position; consumers use isolation.level=read_committed).

local walhook = require "walhook"

local kafka = walhook.sink.kafka{
  brokers = walhook.vars.brokers or "localhost:9092",
  prefix = walhook.vars.prefix or "walhook",
  format = "debezium",
  config = { ["compression.type"] = "lz4" },
}

function handle_change(c)
  kafka:write(c)
  return false
end

function handle_truncate(t)
  kafka:write(t)   -- an "op": "t" event in each table's topic
end
