"""Demo materials: machined parts the factory sells, and the raw stock they are cut from."""

from decimal import Decimal

from zhongshu.catalog.services import material_create

SEED_ORDER = 10

# code, name, spec, unit, kind, fulfilment, standard price, safety stock, lead time (days)
MATERIALS = [
    # finished parts kept in stock (standard sizes, sold from the shelf)
    ("FL-DN50", "法兰盘", "DN50 PN16 Q235 镀锌", "件", "finished", "stock", "38.50", "200", 7),
    ("FL-DN80", "法兰盘", "DN80 PN16 Q235 镀锌", "件", "finished", "stock", "56.00", "150", 7),
    ("FL-DN100", "法兰盘", "DN100 PN16 20# 锻件", "件", "finished", "stock", "88.00", "120", 10),
    ("FL-DN150", "法兰盘", "DN150 PN25 20# 锻件", "件", "finished", "make", "168.00", "0", 15),
    ("FL-DN200", "法兰盘", "DN200 PN25 304 不锈钢", "件", "finished", "make", "420.00", "0", 20),
    ("ZT-30", "轴套", "Φ30×Φ40×35 锡青铜", "件", "finished", "stock", "24.00", "500", 7),
    ("ZT-45", "轴套", "Φ45×Φ55×50 锡青铜", "件", "finished", "stock", "36.00", "400", 7),
    ("ZT-60", "轴套", "Φ60×Φ75×60 45# 调质", "件", "finished", "stock", "42.00", "300", 10),
    ("ZT-80", "轴套", "Φ80×Φ100×80 45# 淬火", "件", "finished", "make", "75.00", "0", 12),
    ("CL-M2-20", "直齿轮", "m2 z20 40Cr 高频淬火", "件", "finished", "stock", "65.00", "200", 10),
    ("CL-M2-40", "直齿轮", "m2 z40 40Cr 高频淬火", "件", "finished", "stock", "118.00", "150", 10),
    ("CL-M3-30", "直齿轮", "m3 z30 20CrMnTi 渗碳淬火", "件", "finished", "make", "186.00", "0", 18),
    ("CL-M4-50", "斜齿轮", "m4 z50 β15° 20CrMnTi 磨齿", "件", "finished", "make", "560.00", "0", 25),
    ("CL-WG-40", "蜗轮", "m4 z40 ZCuSn10Pb1", "件", "finished", "make", "780.00", "0", 25),
    ("LJG-200", "连接杆", "L200 M16 45# 发黑", "件", "finished", "stock", "18.50", "800", 5),
    ("LJG-350", "连接杆", "L350 M20 45# 发黑", "件", "finished", "stock", "27.00", "600", 5),
    ("LJG-500", "连接杆", "L500 M24 40Cr 调质", "件", "finished", "make", "58.00", "0", 12),
    ("CDZ-25", "传动轴", "Φ25×320 45# 调质 磨削", "根", "finished", "stock", "95.00", "120", 10),
    ("CDZ-40", "传动轴", "Φ40×560 40Cr 调质 磨削", "根", "finished", "make", "230.00", "0", 15),
    ("CDZ-60", "花键轴", "Φ60×880 42CrMo 渗氮", "根", "finished", "make", "680.00", "0", 25),
    ("ZCZ-205", "轴承座", "UCP205 HT200", "件", "finished", "stock", "32.00", "300", 7),
    ("ZCZ-210", "轴承座", "UCP210 HT250", "件", "finished", "stock", "68.00", "200", 7),
    ("ZCZ-SN517", "剖分式轴承座", "SN517 QT450", "件", "finished", "make", "460.00", "0", 20),
    ("LZQ-GY4", "凸缘联轴器", "GY4 Φ30 45#", "套", "finished", "stock", "85.00", "100", 10),
    ("LZQ-LX3", "弹性柱销联轴器", "LX3 Φ48 45#", "套", "finished", "make", "260.00", "0", 15),
    ("DG-110", "端盖", "Φ110 HT200 加工", "件", "finished", "stock", "22.00", "400", 7),
    ("DG-180", "端盖", "Φ180 HT250 加工", "件", "finished", "make", "48.00", "0", 10),
    ("ZJ-A", "电机支架", "A 型 Q345 焊接 喷塑", "件", "finished", "make", "135.00", "0", 12),
    ("ZJ-B", "轴承支架", "B 型 ZG270-500 铸钢", "件", "finished", "make", "310.00", "0", 20),
    ("DT-20", "导套", "Φ20×Φ28×40 GCr15", "件", "finished", "stock", "16.00", "1000", 7),
    ("DZ-20", "导柱", "Φ20×150 GCr15 镀铬", "根", "finished", "stock", "28.00", "600", 7),
    ("HLB-100", "皮带轮", "SPA 100 双槽 HT200", "件", "finished", "stock", "45.00", "200", 8),
    ("HLB-250", "皮带轮", "SPB 250 三槽 HT250", "件", "finished", "make", "165.00", "0", 15),
    ("LLJ-M20", "链轮", "16A z20 45# 齿面淬火", "件", "finished", "stock", "52.00", "250", 8),
    ("TB-300", "液压缸筒", "Φ80×300 27SiMn 珩磨", "件", "finished", "make", "390.00", "0", 20),
    ("HSG-63", "活塞杆", "Φ36×520 45# 镀硬铬", "根", "finished", "make", "175.00", "0", 15),
    ("BXS-01", "变速箱壳体", "HT250 加工中心精加工", "件", "finished", "make", "1280.00", "0", 30),
    ("FM-DN50", "阀体", "DN50 WCB 铸钢 加工", "件", "finished", "make", "260.00", "0", 20),
    # semi-finished and purchased parts
    ("BP-ZP-45", "轴套毛坯", "Φ58×55 45# 锻件", "件", "semi", "stock", "9.80", "600", 10),
    ("BP-CL-40", "齿轮锻坯", "Φ90×30 40Cr", "件", "semi", "stock", "28.00", "300", 15),
    ("WG-6205", "深沟球轴承", "6205-2RS", "套", "purchased", "stock", "12.50", "1000", 7),
    ("WG-6210", "深沟球轴承", "6210-2RS", "套", "purchased", "stock", "36.00", "500", 7),
    ("WG-M16", "六角螺栓", "M16×60 8.8 级 镀锌", "个", "purchased", "stock", "0.85", "10000", 3),
    ("WG-YQ-45", "骨架油封", "TC 45×62×8 NBR", "个", "purchased", "stock", "2.20", "3000", 5),
    # raw materials
    ("RM-45-30", "45#钢棒", "Φ30 热轧 GB/T 699", "kg", "raw", "stock", "5.60", "2000", 10),
    ("RM-45-60", "45#钢棒", "Φ60 热轧 GB/T 699", "kg", "raw", "stock", "5.50", "3000", 10),
    ("RM-45-100", "45#钢棒", "Φ100 热轧 GB/T 699", "kg", "raw", "stock", "5.45", "3000", 12),
    ("RM-40CR-50", "40Cr圆钢", "Φ50 调质 GB/T 3077", "kg", "raw", "stock", "6.80", "1500", 12),
    ("RM-40CR-90", "40Cr圆钢", "Φ90 调质 GB/T 3077", "kg", "raw", "stock", "6.70", "1500", 12),
    ("RM-20CRMNTI", "20CrMnTi圆钢", "Φ80 GB/T 3077", "kg", "raw", "stock", "7.40", "1000", 15),
    ("RM-42CRMO", "42CrMo圆钢", "Φ70 调质", "kg", "raw", "stock", "8.20", "800", 15),
    ("RM-GCR15", "GCr15轴承钢", "Φ30 球化退火", "kg", "raw", "stock", "9.10", "500", 15),
    ("RM-Q235-10", "Q235钢板", "δ10 1500×6000", "kg", "raw", "stock", "4.30", "5000", 7),
    ("RM-Q345-16", "Q345钢板", "δ16 2000×8000", "kg", "raw", "stock", "4.60", "3000", 7),
    ("RM-AL6061", "铝板", "6061-T6 δ20 1220×2440", "kg", "raw", "stock", "26.50", "500", 10),
    ("RM-AL-ROD", "铝棒", "6061-T6 Φ50", "kg", "raw", "stock", "25.80", "300", 10),
    ("RM-SS304", "304不锈钢棒", "Φ40 固溶 GB/T 1220", "kg", "raw", "stock", "17.50", "600", 12),
    ("RM-ZCUSN", "锡青铜棒", "ZCuSn10Pb1 Φ60 离心浇铸", "kg", "raw", "stock", "78.00", "200", 20),
    ("RM-HT250", "灰铸铁毛坯", "HT250 按图铸造", "kg", "raw", "stock", "7.90", "1500", 20),
    ("RM-QT450", "球墨铸铁毛坯", "QT450-10 按图铸造", "kg", "raw", "stock", "8.60", "1000", 20),
    ("RM-WCB", "铸钢毛坯", "WCB 按图铸造", "kg", "raw", "stock", "12.50", "800", 25),
    ("RM-CUT-OIL", "切削液", "半合成 18L/桶", "桶", "raw", "stock", "420.00", "20", 5),
]  # fmt: skip


def seed(ctx) -> None:
    admin = ctx.users["admin"]
    for code, name, spec, unit, kind, fulfilment, price, safety, lead in MATERIALS:
        material = material_create(
            actor=admin,
            code=code,
            name=name,
            spec=spec,
            unit=unit,
            kind=kind,
            fulfilment=fulfilment,
            standard_price=Decimal(price),
            safety_stock=Decimal(safety),
            lead_time_days=lead,
        )
        ctx.materials.append(material)
    ctx.counts["materials"] = len(MATERIALS)
    ctx.say(f"  {len(MATERIALS)} materials")
