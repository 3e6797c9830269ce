-- A small shop: the demo database `npm run demo` creates.
PRAGMA foreign_keys = ON;

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL,
  title TEXT NOT NULL,
  price_cents INTEGER NOT NULL CONSTRAINT price_not_negative CHECK (price_cents >= 0),
  discontinued BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX products_sku ON products (sku);
CREATE INDEX products_active_title ON products (lower(title)) WHERE discontinued = 0;

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'shipped', 'cancelled')),
  placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents INTEGER NOT NULL,
  PRIMARY KEY (order_id, product_id)
);

CREATE TRIGGER orders_touch AFTER UPDATE OF status ON orders
BEGIN
  UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

CREATE VIEW order_totals AS
  SELECT o.id AS order_id, o.customer_id, SUM(i.quantity * i.unit_price_cents) AS total_cents
  FROM orders o JOIN order_items i ON i.order_id = o.id
  GROUP BY o.id;

INSERT INTO customers (id, email, name) VALUES (1, 'ada@example.com', 'Ada Lovelace'), (2, 'alan@example.com', 'Alan Turing');
INSERT INTO products (id, sku, title, price_cents) VALUES (1, 'KB-01', 'Keyboard', 4900), (2, 'MS-01', 'Mouse', 1900);
INSERT INTO orders (id, customer_id, status) VALUES (1, 1, 'paid');
INSERT INTO order_items VALUES (1, 1, 1, 4900), (1, 2, 2, 1900);
