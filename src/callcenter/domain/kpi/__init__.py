"""KPIs: figures over finished calls, the live floor, and Erlang C staffing."""
