-- 007: what the overview reads on every refresh walks an index, not a destination's whole history.

-- A destination's last success (GET /api/destinations, the console's overview): the newest delivered
-- row of that destination. Without it, max(delivered_at) read every delivered row the destination
-- ever had, a cost that grows with each year of deliveries.
CREATE INDEX deliveries_delivered_idx ON deliveries (destination_id, delivered_at DESC) WHERE status = 'delivered';
