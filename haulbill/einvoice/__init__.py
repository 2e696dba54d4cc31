"""E-invoicing core: Peppol BIS Billing 3.0 documents, their validation and Peppol reachability.

The modules here know nothing about Django models: `document` is a plain data model of one
e-invoice, `ubl` turns it into UBL 2.1 XML, `validation` runs the official rule chain and
`peppol_lookup` asks the Peppol network whether a customer can receive it.
"""
