"""Word lists for synthetic Chinese names: people, villages, townships, counties, units.

Everything here is invented or generic; the real names are in the reference tables (``reference.py``).
Lists are tuples (never sets) so that drawing from them is deterministic for a seed.
"""

from __future__ import annotations

# Common surnames of northern Anhui, roughly in order of frequency; the weights below favour the
# head of the list the way real name registers do.
SURNAMES = tuple(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文葛牛单"
)

# Characters for given names (one or two are drawn).
GIVEN_MALE = tuple(
    "伟强军磊勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋峰建国志新亮东海兵"
    "春晓文斌德振永成红庆忠卫民利荣清锋坤嘉博"
)
GIVEN_FEMALE = tuple("芳娜敏静丽艳娟霞燕玲萍红梅琳雪倩婷颖慧莉欣璐晶蕾丹洁")

# Village names in Huaibei plain style: 张庄, 王楼, 李集, 后刘, 大王庄, 小湖 ... + 村.
VILLAGE_SUFFIXES = tuple("庄楼集营湖圩寨店桥沟湾园岗台口套屯铺窑场阁坊")
VILLAGE_PREFIXES = tuple("大小前后东西南北新老高双三")
VILLAGE_PLACE_WORDS = (
    "桃园",
    "柳林",
    "杨湖",
    "河西",
    "河东",
    "沟南",
    "新河",
    "黄山",
    "龙泉",
    "凤山",
    "马场",
    "青龙",
    "白庙",
    "金山",
    "石桥",
    "芦沟",
    "荆山",
    "梨园",
    "枣林",
    "闸口",
    "堤口",
    "孤山",
    "杏花",
    "槐树",
    "夹河",
    "湖沟",
    "黑塔",
    "红光",
    "三里",
    "五里",
    "八里",
    "十里",
)
COMMUNITY_WORDS = (
    "幸福",
    "新华",
    "东街",
    "西街",
    "南街",
    "北街",
    "建设",
    "和平",
    "人民",
    "文化",
    "光明",
    "团结",
    "新兴",
    "朝阳",
    "胜利",
    "中心",
    "振兴",
    "繁荣",
)

# Characters for synthetic place names (townships, counties).
PLACE_CHARS = tuple(
    "新安平宁和丰永兴长乐康泰顺阳河山清泉福华明龙凤昌盛德延源瑞祥嘉庆怀远定远广汉古"
    "临泽淮涡濉沱青黄白金石桃柳杨梅梨枣桑"
)
COUNTY_SUFFIX = "县"

# National and provincial road numbers found around Huaibei; more are made up when these run out.
NATIONAL_EAST_WEST = ("G343", "G311", "G345", "G310", "G328", "G330", "G312", "G344")
NATIONAL_NORTH_SOUTH = ("G206", "G104", "G237", "G235", "G105", "G205", "G207", "G234")

# Bureau departments (机关) that lend officers for village liaison.
ORGAN_UNITS = (
    "政治处",
    "指挥中心",
    "法制大队",
    "警务保障室",
    "经侦大队",
    "禁毒大队",
    "网安大队",
    "巡特警大队",
    "督察大队",
    "办公室",
    "出入境管理大队",
    "看守所",
)
CATEGORY_UNITS = {
    "traffic": "交警大队",
    "criminal": "刑警大队",
    "domestic_security": "国保大队",
    "public_security": "治安大队",
}

# Chinese mobile prefixes (China Mobile / Unicom / Telecom).
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
