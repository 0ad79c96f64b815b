from fazhi.core.xlsx import write_table


def units_xlsx(units, stream) -> None:
    rows = (
        (
            u.code,
            u.name,
            u.short_name,
            u.get_kind_display(),
            u.region.code,
            u.region.name,
            u.sort_order,
            "是" if u.is_active else "否",
        )
        for u in units
    )
    write_table(
        stream,
        title="单位名单",
        headers=["单位编码", "单位名称", "简称", "类型", "区划代码", "所属区划", "排序", "启用"],
        rows=rows,
        widths=[18, 30, 18, 10, 14, 14, 8, 8],
    )
