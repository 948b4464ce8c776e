-- +goose Up
-- Per-item refunds (issue 13): several requests on one order may be open
-- for different items (子订单). The one-open-request-per-order index gives
-- way to one open request per item: a request on items holds a row per item
-- key, a request on the whole order the key '*' (the service refuses a
-- whole-order request while any other is open, and an item request while a
-- whole-order one is).
DROP INDEX aftersales_one_open_per_order;
CREATE TABLE aftersale_open_items (
    order_id     TEXT NOT NULL,
    item_key     TEXT NOT NULL,
    aftersale_id TEXT NOT NULL,
    PRIMARY KEY (order_id, item_key)
);
CREATE INDEX aftersale_open_items_request ON aftersale_open_items (aftersale_id);
INSERT INTO aftersale_open_items (order_id, item_key, aftersale_id) SELECT order_id, '*', id FROM aftersales WHERE is_open = 1;
