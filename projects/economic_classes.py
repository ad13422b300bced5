"""Reference data: 部门预算支出经济分类 (DOMAIN.md section 6), the codes in use.

Checked against the 2024 edition of 政府收支分类科目 (部门预算支出经济分类科目). The initial
migration loads it; a later edit to the list takes a new migration, as reference data should.
"""

CLASSES = {
    ("301", "工资福利支出"): [
        ("30101", "基本工资"), ("30102", "津贴补贴"), ("30103", "奖金"), ("30106", "伙食补助费"),
        ("30107", "绩效工资"), ("30108", "机关事业单位基本养老保险缴费"), ("30109", "职业年金缴费"),
        ("30110", "职工基本医疗保险缴费"), ("30111", "公务员医疗补助缴费"), ("30112", "其他社会保障缴费"),
        ("30113", "住房公积金"), ("30114", "医疗费"), ("30199", "其他工资福利支出"),
    ],
    ("302", "商品和服务支出"): [
        ("30201", "办公费"), ("30202", "印刷费"), ("30203", "咨询费"), ("30204", "手续费"), ("30205", "水费"),
        ("30206", "电费"), ("30207", "邮电费"), ("30208", "取暖费"), ("30209", "物业管理费"), ("30211", "差旅费"),
        ("30212", "因公出国（境）费用"), ("30213", "维修（护）费"), ("30214", "租赁费"), ("30215", "会议费"),
        ("30216", "培训费"), ("30217", "公务接待费"), ("30218", "专用材料费"), ("30226", "劳务费"),
        ("30227", "委托业务费"), ("30228", "工会经费"), ("30229", "福利费"), ("30231", "公务用车运行维护费"),
        ("30239", "其他交通费用"), ("30240", "税金及附加费用"), ("30299", "其他商品和服务支出"),
    ],
    ("303", "对个人和家庭的补助"): [
        ("30301", "离休费"), ("30302", "退休费"), ("30303", "退职（役）费"), ("30304", "抚恤金"),
        ("30305", "生活补助"), ("30306", "救济费"), ("30307", "医疗费补助"), ("30308", "助学金"),
        ("30309", "奖励金"), ("30399", "其他对个人和家庭的补助"),
    ],
    ("310", "资本性支出"): [
        ("31001", "房屋建筑物购建"), ("31002", "办公设备购置"), ("31003", "专用设备购置"), ("31005", "基础设施建设"),
        ("31006", "大型修缮"), ("31007", "信息网络及软件购置更新"), ("31013", "公务用车购置"),
        ("31022", "无形资产购置"), ("31099", "其他资本性支出"),
    ],
    ("399", "其他支出"): [("39999", "其他支出")],
}


def economic_classes_load(EconomicClass) -> None:
    """Load the codes into an empty table; `EconomicClass` is the model (or a migration's historical model)."""
    for (code, name), children in CLASSES.items():
        parent = EconomicClass.objects.create(code=code, name=name)
        EconomicClass.objects.bulk_create(
            [EconomicClass(code=child_code, name=child_name, parent=parent) for child_code, child_name in children]
        )


def economic_classes_unload(EconomicClass) -> None:
    EconomicClass.objects.filter(parent__isnull=False).delete()
    EconomicClass.objects.all().delete()
