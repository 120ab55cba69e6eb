"""Word lists the generator draws from: names, cities, genres, books, complaint texts."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a literal list."""
    return tuple(text.split())


SURNAMES_ZH = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN_ZH = words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 文 华 红 玉兰 "
    "晓燕 德明 海燕 建国 志强 婷 欣怡 子涵 浩然 雨桐 一诺 思远 嘉怡 宇轩 梓萱 俊杰 晨曦"
)
SURNAMES_PINYIN = words(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo"
)
GIVEN_PINYIN = words(
    "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Juan Tao Ming Chao Xia"
)
FOREIGN_NAMES = [
    "Hans Müller",
    "Anna Schmidt",
    "Peter Schneider",
    "Julia Fischer",
    "Thomas Weber",
    "Maria Becker",
    "John Smith",
    "Emily Brown",
    "Chan Tai Man",
    "Wong Ka Yan",
    "Lin Mei",
    "Tanaka Hiroshi",
]

# (city, long-distance area code without the trunk 0, share of customers)
CITIES_CN: list[tuple[str, str, int]] = [
    ("北京", "10", 14),
    ("上海", "21", 14),
    ("广州", "20", 8),
    ("深圳", "755", 8),
    ("杭州", "571", 6),
    ("南京", "25", 6),
    ("成都", "28", 6),
    ("武汉", "27", 5),
    ("西安", "29", 5),
    ("天津", "22", 5),
    ("重庆", "23", 5),
    ("苏州", "512", 4),
    ("长沙", "731", 4),
    ("沈阳", "24", 3),
    ("青岛", "532", 3),
]
# (city, country calling code, mobile prefixes, national mobile digits after the prefix, language)
CITIES_ABROAD: list[tuple[str, str, tuple[str, ...], int, str]] = [
    ("Berlin", "49", ("151", "160", "170", "176"), 8, "de"),
    ("München", "49", ("152", "162", "171"), 8, "de"),
    ("Hong Kong", "852", ("9", "6", "5"), 7, "zh-HK"),
    ("台北", "886", ("912", "933", "988"), 6, "zh-TW"),
    ("London", "44", ("7700", "7911"), 6, "en"),
]
MOBILE_PREFIXES_CN = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "166 176 177 180 181 182 183 185 186 187 188 189 198 199"
)

GENRES = [
    "literature",
    "history",
    "children",
    "science",
    "business",
    "self-help",
    "poetry",
    "cooking",
    "travel",
    "mystery",
    "romance",
    "philosophy",
    "art",
    "health",
]
LANGUAGES_CN = ("zh", "zh", "zh", "zh", "zh", "zh", "zh", "zh", "en", "zh")

BOOKS: list[tuple[str, str]] = [
    ("红楼梦", "9787020002207"),
    ("三国演义", "9787020008728"),
    ("西游记", "9787020008735"),
    ("水浒传", "9787020015016"),
    ("围城", "9787020024759"),
    ("活着", "9787506365437"),
    ("平凡的世界", "9787530216781"),
    ("白鹿原", "9787020090006"),
    ("边城", "9787020105953"),
    ("呐喊", "9787020024766"),
    ("骆驼祥子", "9787020088737"),
    ("家", "9787020024797"),
    ("许三观卖血记", "9787506365444"),
    ("三体", "9787536692930"),
    ("人类简史", "9787508647357"),
    ("万历十五年", "9787108009821"),
    ("朝花夕拾", "9787020090495"),
    ("傅雷家书", "9787544719826"),
    ("浮士德", "9787020016747"),
    ("百年孤独", "9787544253994"),
    ("小王子", "9787020042494"),
    ("追风筝的人", "9787208061644"),
    ("Faust", "9783150000014"),
    ("Der Process", "9783150096765"),
]

COMPLAINT_SUBJECTS: dict[str, list[str]] = {
    "delivery": ["包裹未收到", "送货延迟", "地址错误", "Parcel never arrived"],
    "quality": ["书页破损", "印刷模糊", "缺页", "封面损坏"],
    "billing": ["重复扣款", "汇款未到账", "发票金额错误", "退款未收到"],
    "membership": ["会员资格未续", "积分丢失", "季度选书未寄", "退会申请"],
    "editorial": ["书中史实有误", "译文疑问", "错别字", "想联系作者"],
}
DISPOSITIONS = [
    "order-status",
    "order-placed",
    "complaint-logged",
    "billing-question",
    "membership-change",
    "address-change",
    "book-question",
    "callback-promised",
]
