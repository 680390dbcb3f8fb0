//! The sectors, names and phrases sample records are drawn from: fictitious, but shaped like
//! Baotou's economy (rare earth, steel, machinery, energy, vehicles).

/// A sector firms are drawn into: industry class, products, share of firms, size profile.
pub struct Sector {
    pub industry: &'static str,
    pub word: &'static str,
    pub products: &'static [&'static str],
    /// Share of the city's enterprises (relative weight).
    pub weight: f64,
    /// Median revenue in 万元.
    pub median_revenue: f64,
    pub high_tech_rate: f64,
}

pub const SECTORS: &[Sector] = &[
    Sector {
        industry: "0932",
        word: "稀土矿业",
        products: &["稀土精矿", "氟碳铈矿精矿"],
        weight: 0.4,
        median_revenue: 60000.0,
        high_tech_rate: 0.2,
    },
    Sector {
        industry: "3232",
        word: "稀土冶炼",
        products: &["稀土氧化物", "氯化稀土", "碳酸稀土", "稀土分离产品"],
        weight: 1.0,
        median_revenue: 30000.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "3240",
        word: "稀土金属",
        products: &["镨钕金属", "镧铈金属", "稀土合金"],
        weight: 1.0,
        median_revenue: 12000.0,
        high_tech_rate: 0.4,
    },
    Sector {
        industry: "3985",
        word: "磁材",
        products: &["烧结钕铁硼", "钕铁硼永磁材料", "稀土永磁体"],
        weight: 1.6,
        median_revenue: 15000.0,
        high_tech_rate: 0.6,
    },
    Sector {
        industry: "2669",
        word: "抛光材料",
        products: &["稀土抛光粉", "铈基抛光液"],
        weight: 2.2,
        median_revenue: 500.0,
        high_tech_rate: 0.1,
    },
    Sector {
        industry: "3240",
        word: "储氢材料",
        products: &["储氢合金", "稀土储氢合金粉"],
        weight: 0.05,
        median_revenue: 300.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "3812",
        word: "电机",
        products: &["永磁同步电机", "稀土永磁电机"],
        weight: 0.8,
        median_revenue: 8000.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "3415",
        word: "风电装备",
        products: &["风电机组", "风机叶片", "风电塔筒"],
        weight: 0.5,
        median_revenue: 40000.0,
        high_tech_rate: 0.4,
    },
    Sector {
        industry: "3612",
        word: "新能源汽车",
        products: &["纯电动重卡", "新能源商用车"],
        weight: 0.15,
        median_revenue: 200000.0,
        high_tech_rate: 0.6,
    },
    Sector {
        industry: "3670",
        word: "汽车零部件",
        products: &["驱动电机总成", "车桥", "汽车线束", "尾气净化器"],
        weight: 1.2,
        median_revenue: 5000.0,
        high_tech_rate: 0.3,
    },
    Sector {
        industry: "3120",
        word: "钢铁",
        products: &["钢坯", "重轨", "无缝钢管"],
        weight: 0.3,
        median_revenue: 300000.0,
        high_tech_rate: 0.3,
    },
    Sector {
        industry: "3130",
        word: "钢材加工",
        products: &["冷轧板", "型钢", "钢板"],
        weight: 1.2,
        median_revenue: 8000.0,
        high_tech_rate: 0.1,
    },
    Sector {
        industry: "3140",
        word: "铁合金",
        products: &["硅铁", "稀土硅铁合金"],
        weight: 0.6,
        median_revenue: 6000.0,
        high_tech_rate: 0.1,
    },
    Sector {
        industry: "3511",
        word: "矿山机械",
        products: &["矿用自卸车", "破碎机", "掘进机"],
        weight: 0.8,
        median_revenue: 20000.0,
        high_tech_rate: 0.4,
    },
    Sector {
        industry: "3516",
        word: "冶金装备",
        products: &["连铸设备", "轧机"],
        weight: 0.5,
        median_revenue: 9000.0,
        high_tech_rate: 0.3,
    },
    Sector {
        industry: "3484",
        word: "机械加工",
        products: &["精密机加工件", "齿轮", "轴类零件", "法兰"],
        weight: 4.0,
        median_revenue: 600.0,
        high_tech_rate: 0.05,
    },
    Sector {
        industry: "3360",
        word: "热处理",
        products: &["热处理加工", "表面处理", "镀锌加工"],
        weight: 1.0,
        median_revenue: 400.0,
        high_tech_rate: 0.05,
    },
    Sector {
        industry: "3311",
        word: "钢结构",
        products: &["钢结构件", "焊接结构件"],
        weight: 1.5,
        median_revenue: 1500.0,
        high_tech_rate: 0.05,
    },
    Sector {
        industry: "3716",
        word: "铁路装备",
        products: &["铁路货车", "铁路车辆配件"],
        weight: 0.2,
        median_revenue: 50000.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "4415",
        word: "风力发电",
        products: &["风电场运营", "风力发电"],
        weight: 0.8,
        median_revenue: 10000.0,
        high_tech_rate: 0.0,
    },
    Sector {
        industry: "4416",
        word: "光伏发电",
        products: &["光伏电站运营", "分布式光伏"],
        weight: 0.8,
        median_revenue: 5000.0,
        high_tech_rate: 0.0,
    },
    Sector {
        industry: "3825",
        word: "光伏材料",
        products: &["单晶硅片", "光伏组件", "多晶硅"],
        weight: 0.3,
        median_revenue: 80000.0,
        high_tech_rate: 0.6,
    },
    Sector {
        industry: "3841",
        word: "锂电",
        products: &["磷酸铁锂电池", "储能电池系统"],
        weight: 0.2,
        median_revenue: 20000.0,
        high_tech_rate: 0.6,
    },
    Sector {
        industry: "4419",
        word: "氢能",
        products: &["绿氢制备", "电解水制氢"],
        weight: 0.1,
        median_revenue: 3000.0,
        high_tech_rate: 0.4,
    },
    Sector {
        industry: "7320",
        word: "技术研究",
        products: &["技术开发服务", "检验检测服务"],
        weight: 1.0,
        median_revenue: 800.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "6513",
        word: "软件",
        products: &["工业软件", "智能制造系统集成"],
        weight: 1.5,
        median_revenue: 500.0,
        high_tech_rate: 0.5,
    },
    Sector {
        industry: "7514",
        word: "节能环保",
        products: &["节能改造服务", "固废综合利用"],
        weight: 0.8,
        median_revenue: 700.0,
        high_tech_rate: 0.2,
    },
];

/// Classes drawn for the rest of the economy (trade, construction, food, logistics, services).
pub const OTHER_INDUSTRIES: &[(&str, &str, &str)] = &[
    ("5179", "商贸", "五金交电批发"),
    ("5261", "商贸", "汽车零售"),
    ("4710", "建筑", "房屋建筑施工"),
    ("4813", "建筑", "市政道路工程"),
    ("1311", "粮油", "稻谷加工"),
    ("1440", "乳业", "乳制品"),
    ("5430", "物流", "道路货物运输"),
    ("5920", "仓储", "仓储服务"),
    ("6110", "酒店", "酒店住宿"),
    ("6210", "餐饮", "餐饮服务"),
    ("7212", "投资", "投资管理"),
    ("7241", "咨询", "企业管理咨询"),
    ("7511", "农业科技", "农业技术推广"),
    ("8391", "培训", "职业技能培训"),
    ("4420", "热力", "供热服务"),
    ("2621", "化肥", "复合肥"),
    ("3021", "建材", "水泥制品"),
    ("2927", "塑料", "塑料制品"),
];

/// County-level units of Baotou with their share of the city's enterprises.
pub const DISTRICTS: &[(&str, f64)] = &[
    ("150203", 0.25), // 昆都仑区
    ("150207", 0.15), // 九原区
    ("150271", 0.16), // 稀土高新区
    ("150204", 0.15), // 青山区
    ("150202", 0.12), // 东河区
    ("150221", 0.06), // 土默特右旗
    ("150222", 0.03), // 固阳县
    ("150223", 0.03), // 达茂旗
    ("150205", 0.03), // 石拐区
    ("150206", 0.02), // 白云鄂博矿区
];

/// Regions outside Baotou that external suppliers and investment candidates come from.
pub const EXTERNAL_REGIONS: &[(&str, &str)] = &[
    ("320505", "苏州"),
    ("440305", "深圳"),
    ("330206", "宁波"),
    ("360702", "赣州"),
    ("110108", "北京"),
    ("370211", "青岛"),
    ("140105", "太原"),
    ("420111", "武汉"),
];

pub const BRAND: &[&str] = &[
    "鑫", "瑞", "华", "恒", "泰", "宏", "盛", "达", "金", "源", "通", "元", "隆", "昌", "北", "方",
    "晟", "锐", "博", "诚", "信", "德", "安", "康", "汇", "凯", "远", "利", "丰", "嘉", "正", "新",
    "亿", "聚", "峰", "磊", "钢", "石", "青", "阳", "晨", "天", "宇", "辰", "星", "驰", "拓", "原",
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
];
pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "文", "华", "建", "国", "志", "海", "宏", "斌", "鹏", "晓",
];

/// Research topics by discipline: (discipline, technology phrases, objects, effects).
pub struct Topic {
    pub discipline: &'static str,
    pub methods: &'static [&'static str],
    pub objects: &'static [&'static str],
    pub goals: &'static [&'static str],
    pub industry: &'static str,
}

pub const TOPICS: &[Topic] = &[
    Topic {
        discipline: "材料科学与工程",
        methods: &[
            "晶界扩散",
            "速凝甩带",
            "氢破碎",
            "热压成型",
            "添加重稀土减量",
        ],
        objects: &["烧结钕铁硼磁体", "稀土永磁材料", "高矫顽力磁体", "钐钴磁体"],
        goals: &["矫顽力提升", "重稀土用量降低", "耐温性能提高", "一致性提升"],
        industry: "3985",
    },
    Topic {
        discipline: "冶金工程",
        methods: &["萃取分离", "熔盐电解", "连续萃取", "低碳冶炼"],
        objects: &["稀土氧化物", "镨钕金属", "稀土冶炼废水", "氟碳铈矿"],
        goals: &["收率提高", "能耗降低", "氨氮排放减少", "纯度提高至 99.99%"],
        industry: "3232",
    },
    Topic {
        discipline: "化学工程",
        methods: &["共沉淀", "煅烧工艺优化", "表面改性", "溶胶凝胶"],
        objects: &["铈基抛光粉", "稀土催化剂", "稀土发光材料", "储氢合金粉"],
        goals: &[
            "抛光速率提高",
            "粒度分布收窄",
            "催化活性提升",
            "吸放氢容量提高",
        ],
        industry: "2669",
    },
    Topic {
        discipline: "机械工程",
        methods: &["数字孪生", "精密加工", "激光熔覆", "结构拓扑优化"],
        objects: &["矿用自卸车传动系统", "大型齿轮箱", "液压支架", "重载车桥"],
        goals: &["寿命延长", "加工精度提高", "减重 15%", "故障率降低"],
        industry: "3511",
    },
    Topic {
        discipline: "电气工程",
        methods: &["矢量控制", "永磁同步驱动", "变流器设计", "状态监测"],
        objects: &["永磁同步电机", "风电变流器", "驱动电机总成", "储能变流系统"],
        goals: &["效率提高", "功率密度提升", "温升降低", "噪声降低"],
        industry: "3812",
    },
    Topic {
        discipline: "能源动力",
        methods: &["电解水制氢", "风光储一体化", "氢燃料电池", "储能调度"],
        objects: &["绿氢制备系统", "风电场", "光伏电站", "重卡燃料电池系统"],
        goals: &["制氢能耗降低", "弃风率降低", "系统效率提高", "成本下降"],
        industry: "4419",
    },
    Topic {
        discipline: "钢铁冶金",
        methods: &["洁净钢冶炼", "控轧控冷", "稀土微合金化", "连铸坯质量控制"],
        objects: &["高速重轨", "无缝钢管", "稀土钢", "耐磨钢板"],
        goals: &["强韧性提升", "夹杂物减少", "成材率提高", "吨钢能耗降低"],
        industry: "3120",
    },
    Topic {
        discipline: "计算机科学与技术",
        methods: &["机器视觉检测", "工业互联网平台", "大数据分析", "预测性维护"],
        objects: &["钢板表面缺陷", "产线设备", "稀土生产过程", "仓储物流"],
        goals: &["检出率提高", "停机时间减少", "能耗可视化", "排产效率提高"],
        industry: "6513",
    },
    Topic {
        discipline: "环境科学与工程",
        methods: &["尾矿综合利用", "固废资源化", "烟气脱硫脱硝", "废水零排放"],
        objects: &["稀土尾矿", "钢渣", "冶炼烟气", "含氟废水"],
        goals: &["资源回收率提高", "排放达标", "处置成本降低", "有价元素回收"],
        industry: "7514",
    },
    Topic {
        discipline: "车辆工程",
        methods: &["轻量化设计", "电驱动集成", "换电技术", "热管理优化"],
        objects: &["纯电动重卡", "新能源商用车", "电驱桥", "动力电池包"],
        goals: &["续航提升", "能耗降低", "换电时间缩短", "可靠性提高"],
        industry: "3612",
    },
];

pub const PROCESSES: &[&str] = &[
    "车削",
    "铣削",
    "磨削",
    "钻孔",
    "电火花",
    "焊接",
    "热处理",
    "表面处理",
    "检测",
];

pub const MACHINE_MODELS: &[(&str, &[&str])] = &[
    ("数控车床 CK6150", &["车削"]),
    ("立式加工中心 VMC850", &["铣削", "钻孔"]),
    ("卧式加工中心 HMC630", &["铣削", "钻孔"]),
    ("数控外圆磨床 MK1320", &["磨削"]),
    ("平面磨床 M7130", &["磨削"]),
    ("摇臂钻床 Z3050", &["钻孔"]),
    ("电火花线切割机 DK7740", &["电火花"]),
    ("二氧化碳保护焊机 NBC-500", &["焊接"]),
    ("焊接机器人工作站", &["焊接"]),
    ("井式渗碳炉 RQ3-75", &["热处理"]),
    ("箱式电阻炉", &["热处理"]),
    ("喷砂喷漆线", &["表面处理"]),
    ("三坐标测量机", &["检测"]),
    ("数控龙门铣床 XK2120", &["铣削"]),
];

pub const INSTRUMENTS: &[&str] = &[
    "扫描电子显微镜",
    "X 射线衍射仪",
    "电感耦合等离子体发射光谱仪",
    "振动样品磁强计",
    "热重分析仪",
    "激光粒度分析仪",
    "万能材料试验机",
    "直读光谱仪",
    "永磁材料测量系统",
];

pub const PROGRAMMES: &[&str] = &[
    "市科技局-科技重大专项",
    "市科技局-关键核心技术攻关",
    "市工信局-技术改造专项",
    "市发改委-创新平台建设",
    "市科技局-科技成果转化",
    "昆都仑区-科技计划项目",
    "稀土高新区-产业创新专项",
    "九原区-企业研发补助",
];

pub const BOILERPLATE: &[&str] = &[
    "项目符合国家和自治区产业政策，对推动包头市产业转型升级具有重要意义。",
    "项目单位具有完善的研发组织体系和良好的产学研合作基础。",
    "项目实施后将形成自主知识产权，带动上下游企业协同发展。",
];

pub const BUDGET_ITEMS: &[&str] = &[
    "设备费",
    "材料费",
    "测试化验加工费",
    "燃料动力费",
    "差旅费",
    "会议费",
    "劳务费",
    "专家咨询费",
];
