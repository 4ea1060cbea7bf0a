"""The table: DynamoDB items <-> domain objects, one module per aggregate, one method per
access pattern (docs/access-patterns.md). Nothing else in the package touches DynamoDB.

- ``keys``           every key string of the table (``USER#...``, ``REJ#...``, collections)
- ``items``          every kind of item as stored, and its conversion to/from the domain
- ``table``          the core: the only caller of the DynamoDB client (get, conditional put and
                     update, partition and collection queries, batch delete, transaction,
                     attribute values, page tokens)
- ``profiles``       profiles, their email claims, forgetting a user
- ``rejections``     rejections and their feedback, alone or with everything under them
- ``notifications``  the inbox and each notification's email status
- ``connections``    job-board connections (their secrets arrive sealed)
- ``deliveries``     webhook delivery claims, and the deliveries of one job application
"""
