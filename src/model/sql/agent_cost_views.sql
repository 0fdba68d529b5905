-- Agent mappings may define an optional <agent>_agent_costs view (what the agent said it cost).
SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW' AND table_name LIKE '%\_agent\_costs' ESCAPE '\' ORDER BY table_name;
