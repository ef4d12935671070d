"""Reports: figures over many requests, computed in the database by a few aggregate queries.

`figures` holds the queries shared by the support engineers' Reports page and the customers'
Support report; `admin` and `customer` shape them for each audience."""
