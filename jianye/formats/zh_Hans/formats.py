# Statistical tables in mainland China group digits by thousands (2,042,400.00), which
# Django's zh_Hans locale does not (it sets no separator). Everything else is Django's.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
