/**
 * Benchmark data with realistic entropy, generated inside each database (INSERT … SELECT over
 * generate_series / MariaDB's sequence engine / a recursive CTE), so no data crosses the wire.
 *
 * Three related tables, the same schema and the same value distributions on every engine (the values
 * themselves are random, so the engines do not hold byte-identical data):
 *   customers    uuid, customer number, e-mail, name, country, balance, timestamp, JSON profile, bio text
 *   orders       bigint id, uuid, customer (FK), status, money, quantity, currency, two timestamps
 *                (one 30 % NULL), free text of varied length (0–~400 characters, 10 % NULL), JSON attributes
 *   order_events bigint id, order (FK), kind, timestamp, JSON payload
 *
 * Text is made of pseudo-words drawn uniformly from a 1024-word vocabulary: about 10 bits per word,
 * which compresses roughly like natural-language text, unlike pgbench's blank-padded filler (about
 * 60:1). UUIDs are random (v4-like), timestamps have sub-second precision, amounts are random.
 */

/** Orders per scale; customers = orders / 5 and events = 2 × orders. Calibrated for ≈ 50 MB / 500 MB of dump text. */
export const SCALES = { small: 60_000, large: 600_000 };
const BATCH = 100_000;

const WORD_WIDTH = 10;
const VOCABULARY_SIZE = 1024;

/** A deterministic vocabulary of pseudo-words (2–10 letters), each padded to WORD_WIDTH characters. */
export function vocabulary() {
  let seed = 0x9e3779b9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch', 'cl', 'dr', 'fr', 'gr', 'pl', 'pr', 'sh', 'st', 'th', 'tr', ''];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'y'];
  const codas = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck'];
  const pick = (list) => list[Math.floor(next() * list.length)];
  const words = new Set();
  while (words.size < VOCABULARY_SIZE) {
    let w = '';
    const syllables = 1 + Math.floor(next() * 3);
    for (let i = 0; i < syllables; i++) w += pick(onsets) + pick(vowels) + pick(codas);
    if (w.length >= 2 && w.length <= WORD_WIDTH) words.add(w);
  }
  return [...words].map((w) => w.padEnd(WORD_WIDTH)).join('');
}

/**
 * The SQL dialect of each engine: `v` is how the statement refers to the vocabulary string (a bound
 * parameter or a session variable), `g` the row number of the row source.
 */
const DIALECTS = {
  postgres: {
    v: '$1::bytea',
    g: 's.g',
    rnd: () => 'random()',
    int: (n) => `floor(random() * ${n})::int`,
    // Byte offsets into a bytea: substr() on UTF-8 text counts characters from the start of the string.
    word: (v) => `rtrim(encode(substring(${v} from 1 + ${WORD_WIDTH} * floor(random() * ${VOCABULARY_SIZE})::int for ${WORD_WIDTH}), 'escape'))`,
    left: (s, n) => `left(${s}, (${n})::int)`,
    concat: (...parts) => `concat(${parts.join(', ')})`,
    concatWs: (sep, parts) => `concat_ws('${sep}', ${parts.join(', ')})`,
    uuid: () => 'gen_random_uuid()',
    hex: (bytes) => `substr(md5(random()::text), 1, ${bytes * 2})`,
    timestamp: (from, span) => `to_timestamp(${from} + random() * ${span})`,
    money: (max) => `round((random() * ${max})::numeric, 2)`,
    jsonObject: (pairs) => `jsonb_build_object(${pairs.map(([k, x]) => `'${k}', ${x}`).join(', ')})`,
    jsonArray: (items) => `jsonb_build_array(${items.join(', ')})`,
    jsonBool: (p) => `(random() < ${p})`,
    pick: (list) => `(ARRAY[${list.map((s) => `'${s}'`).join(', ')}])[1 + floor(random() * ${list.length})::int]`,
    source: (from, to) => `FROM generate_series(${from}, ${to}) AS s(g)`,
    with: () => '',
  },
  mysql: {
    // A latin1 session variable (set by the caller): SUBSTRING() on a single-byte string indexes bytes.
    v: '@bench_vocabulary',
    g: 's.seq',
    rnd: () => 'RAND()',
    int: (n) => `FLOOR(RAND() * ${n})`,
    word: (v) => `CONVERT(RTRIM(SUBSTRING(${v}, 1 + ${WORD_WIDTH} * FLOOR(RAND() * ${VOCABULARY_SIZE}), ${WORD_WIDTH})) USING utf8mb4)`,
    left: (s, n) => `LEFT(${s}, ${n})`,
    concat: (...parts) => `CONCAT(${parts.join(', ')})`,
    concatWs: (sep, parts) => `CONCAT_WS('${sep}', ${parts.join(', ')})`,
    // RAND() has only about 30 bits of state: random identifiers come from RANDOM_BYTES().
    uuid: () => `INSERT(INSERT(INSERT(INSERT(LOWER(HEX(RANDOM_BYTES(16))), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-')`,
    hex: (bytes) => `LOWER(HEX(RANDOM_BYTES(${bytes})))`,
    timestamp: (from, span) => `FROM_UNIXTIME(${from} + RAND() * ${span})`,
    money: (max) => `ROUND(RAND() * ${max}, 2)`,
    jsonObject: (pairs) => `JSON_OBJECT(${pairs.map(([k, x]) => `'${k}', ${x}`).join(', ')})`,
    jsonArray: (items) => `JSON_ARRAY(${items.join(', ')})`,
    jsonBool: (p) => `JSON_EXTRACT(IF(RAND() < ${p}, 'true', 'false'), '$')`,
    pick: (list) => `ELT(1 + FLOOR(RAND() * ${list.length}), ${list.map((s) => `'${s}'`).join(', ')})`,
    source: (from, to) => `FROM seq_${from}_to_${to} AS s`,
    with: () => '',
  },
  sqlite: {
    v: ':v',
    g: 's.g',
    rnd: () => '((random() & 9007199254740991) / 9007199254740992.0)',
    int: (n) => `(abs(random()) % ${n})`,
    // A blob: substr() on text counts UTF-8 characters from the start, on a blob it indexes bytes.
    word: (v) => `rtrim(CAST(substr(${v}, 1 + ${WORD_WIDTH} * (abs(random()) % ${VOCABULARY_SIZE}), ${WORD_WIDTH}) AS TEXT))`,
    left: (s, n) => `substr(${s}, 1, CAST(${n} AS INTEGER))`,
    concat: (...parts) => `(${parts.map((x) => `(${x})`).join(' || ')})`, // || binds tighter than +
    concatWs: (sep, parts) => `concat_ws('${sep}', ${parts.join(', ')})`,
    uuid: () => `(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(2))) || '-' || lower(hex(randomblob(6))))`,
    hex: (bytes) => `lower(hex(randomblob(${bytes})))`,
    timestamp: (from, span) => `strftime('%Y-%m-%d %H:%M:%f', ${from} + ((random() & 9007199254740991) / 9007199254740992.0) * ${span}, 'unixepoch')`,
    money: (max) => `round(((random() & 9007199254740991) / 9007199254740992.0) * ${max}, 2)`,
    jsonObject: (pairs) => `json_object(${pairs.map(([k, x]) => `'${k}', ${x}`).join(', ')})`,
    jsonArray: (items) => `json_array(${items.join(', ')})`,
    jsonBool: (p) => `json(CASE WHEN ((random() & 9007199254740991) / 9007199254740992.0) < ${p} THEN 'true' ELSE 'false' END)`,
    pick: (list) => `(CASE abs(random()) % ${list.length} ${list.map((s, i) => `WHEN ${i} THEN '${s}'`).join(' ')} END)`,
    source: () => `FROM s`,
    with: (from, to) => `WITH RECURSIVE s(g) AS (SELECT ${from} UNION ALL SELECT g + 1 FROM s WHERE g < ${to}) `,
  },
};

const TYPES = {
  postgres: { uuid: 'uuid', text: 'text', ts: 'timestamptz', money: 'numeric(12,2)', json: 'jsonb', big: 'bigint', int: 'integer', char: (n) => `char(${n})` },
  mysql: { uuid: 'char(36)', text: 'text', ts: 'datetime(6)', money: 'decimal(12,2)', json: 'json', big: 'bigint', int: 'int', char: (n) => `char(${n})` },
  sqlite: { uuid: 'text', text: 'text', ts: 'text', money: 'numeric', json: 'text', big: 'integer', int: 'integer', char: () => 'text' },
};

const EPOCH_2019 = 1546300800;
const FIVE_YEARS = 157_680_000;
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'NL', 'ES', 'IT', 'PL', 'SE', 'BR', 'IN', 'JP', 'CA', 'AU', 'MX', 'ZA', 'KR', 'CH', 'AT', 'BE'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'BRL', 'INR'];
const KINDS = ['created', 'payment_authorized', 'payment_captured', 'packed', 'shipped', 'delivered', 'returned'];
const CHANNELS = ['web', 'ios', 'android', 'pos', 'api'];

export function schemaSql(engine) {
  const t = TYPES[engine];
  const suffix = engine === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
  return [
    `CREATE TABLE customers (
       id ${t.uuid} NOT NULL PRIMARY KEY, customer_no ${t.int} NOT NULL UNIQUE, email varchar(200) NOT NULL,
       full_name varchar(200) NOT NULL, country ${t.char(2)}, balance ${t.money}, created_at ${t.ts} NOT NULL,
       profile ${t.json}, bio ${t.text})${suffix}`,
    `CREATE TABLE orders (
       id ${t.big} NOT NULL PRIMARY KEY, public_id ${t.uuid} NOT NULL, customer_no ${t.int} NOT NULL, status varchar(20) NOT NULL,
       total ${t.money} NOT NULL, quantity ${t.int} NOT NULL, currency ${t.char(3)} NOT NULL, placed_at ${t.ts} NOT NULL,
       shipped_at ${t.ts}, note ${t.text}, attributes ${t.json})${suffix}`,
    `CREATE TABLE order_events (
       id ${t.big} NOT NULL PRIMARY KEY, order_id ${t.big} NOT NULL, kind varchar(40) NOT NULL, at ${t.ts} NOT NULL,
       payload ${t.json})${suffix}`,
  ];
}

/** Foreign keys and secondary indexes, added after the load. */
export function constraintSql(engine) {
  if (engine === 'sqlite') {
    // SQLite cannot add a foreign key to an existing table: the tables are created with them (see tablesSqlite).
    return ['CREATE INDEX orders_customer ON orders (customer_no)', 'CREATE INDEX events_order ON order_events (order_id)', 'CREATE INDEX orders_placed ON orders (placed_at)'];
  }
  return [
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_no) REFERENCES customers (customer_no)',
    'ALTER TABLE order_events ADD CONSTRAINT events_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)',
    'CREATE INDEX orders_placed ON orders (placed_at)',
  ];
}

/** SQLite: the schema with its foreign keys inline (enforced only with PRAGMA foreign_keys, off while loading). */
export function sqliteSchemaSql() {
  const [customers, orders, events] = schemaSql('sqlite');
  return [
    customers,
    orders.replace(/customer_no integer NOT NULL,/, 'customer_no integer NOT NULL REFERENCES customers (customer_no),'),
    events.replace(/order_id integer NOT NULL,/, 'order_id integer NOT NULL REFERENCES orders (id),'),
  ];
}

/** A text of 0 to about maxWords words, most of them short (the length is the product of two uniform draws). */
function freeText(d, maxWords) {
  const words = Array.from({ length: maxWords }, () => d.word(d.v));
  return d.left(d.concatWs(' ', words), `floor(${d.rnd()} * ${d.rnd()} * ${maxWords * 7})`);
}

function customersSelect(d, from, to) {
  const profile = d.jsonObject([
    ['newsletter', d.jsonBool(0.4)],
    ['tier', d.pick(['free', 'basic', 'plus', 'pro', 'enterprise'])],
    ['tags', d.jsonArray([d.word(d.v), d.word(d.v), d.word(d.v)])],
    ['score', d.rnd()],
    ['address', d.jsonObject([
      ['street', d.concat(`1 + ${d.int(9999)}`, `' '`, d.word(d.v), `' '`, d.pick(['Street', 'Road', 'Avenue', 'Lane', 'Way']))],
      ['city', d.word(d.v)],
      ['zip', d.hex(3)],
    ])],
    ['last_login_ip', d.concatWs('.', [d.int(256), d.int(256), d.int(256), d.int(256)])],
  ]);
  return `${d.with(from, to)}INSERT INTO customers (id, customer_no, email, full_name, country, balance, created_at, profile, bio)
    SELECT ${d.uuid()}, ${d.g}, ${d.concat(d.word(d.v), `'.'`, d.word(d.v), d.int(1000), `'@'`, d.word(d.v), `'.'`, d.pick(['com', 'org', 'net', 'io', 'de']))},
           ${d.concat(d.word(d.v), `' '`, d.word(d.v))}, ${d.pick(COUNTRIES)}, ${d.money(10000)}, ${d.timestamp(EPOCH_2019, FIVE_YEARS)},
           ${profile}, ${freeText(d, 40)}
    ${d.source(from, to)}`;
}

function ordersSelect(d, from, to, customers) {
  const attributes = d.jsonObject([
    ['sku', d.concat(`'SKU-'`, d.hex(4))],
    ['channel', d.pick(CHANNELS)],
    ['gift', d.jsonBool(0.1)],
    ['coupon', `CASE WHEN ${d.rnd()} < 0.2 THEN ${d.concat(d.word(d.v), d.int(100))} END`],
    ['weights', d.jsonArray([d.money(50), d.money(50), d.money(50)])],
    ['ship', d.jsonObject([['city', d.word(d.v)], ['zip', d.hex(3)], ['express', d.jsonBool(0.25)]])],
  ]);
  return `${d.with(from, to)}INSERT INTO orders (id, public_id, customer_no, status, total, quantity, currency, placed_at, shipped_at, note, attributes)
    SELECT ${d.g}, ${d.uuid()}, 1 + ${d.int(customers)}, ${d.pick(STATUSES)}, ${d.money(2000)}, 1 + ${d.int(20)}, ${d.pick(CURRENCIES)},
           ${d.timestamp(EPOCH_2019, FIVE_YEARS)}, CASE WHEN ${d.rnd()} < 0.7 THEN ${d.timestamp(EPOCH_2019, FIVE_YEARS)} END,
           CASE WHEN ${d.rnd()} < 0.9 THEN ${freeText(d, 60)} END, ${attributes}
    ${d.source(from, to)}`;
}

function eventsSelect(d, from, to, orders) {
  const payload = d.jsonObject([
    ['ip', d.concatWs('.', [d.int(256), d.int(256), d.int(256), d.int(256)])],
    ['agent', d.concat(d.word(d.v), `'/'`, d.int(30), `'.'`, d.int(10))],
    ['ms', d.int(5000)],
    ['message', d.concatWs(' ', [d.word(d.v), d.word(d.v), d.word(d.v), d.word(d.v), d.word(d.v)])],
  ]);
  return `${d.with(from, to)}INSERT INTO order_events (id, order_id, kind, at, payload)
    SELECT ${d.g}, 1 + ${d.int(orders)}, ${d.pick(KINDS)}, ${d.timestamp(EPOCH_2019, FIVE_YEARS)}, ${payload}
    ${d.source(from, to)}`;
}

/** The INSERT … SELECT statements for `orders` orders, in batches of at most BATCH rows. */
export function dataSql(engine, orders) {
  const d = DIALECTS[engine];
  const customers = Math.floor(orders / 5);
  const events = orders * 2;
  const batches = (total, make) => {
    const out = [];
    for (let from = 1; from <= total; from += BATCH) out.push(make(from, Math.min(total, from + BATCH - 1)));
    return out;
  };
  return [
    ...batches(customers, (a, b) => customersSelect(d, a, b)),
    ...batches(orders, (a, b) => ordersSelect(d, a, b, customers)),
    ...batches(events, (a, b) => eventsSelect(d, a, b, orders)),
  ];
}
