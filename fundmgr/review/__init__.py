"""The finance bureau's check of filled 自评表 (DOMAIN.md section 10).

`reader` finds every 项目支出绩效自评表 and 部门整体支出绩效自评表 in a workbook by its header
words; `checker` recomputes each table by the rules of section 3 as section 10 adapts them and
lists what does not agree. Nothing here touches the database.
"""
