"""Answers for intents with sub-topics: e-ID level 2, VNeID problems, cashless payments.

One intent per area keeps the classifier simple; the sub-topic comes from an entity (set by a
button payload such as ``/eid_troubleshoot{"vneid_problem":"new_phone"}`` or extracted from the
message) or, failing that, from key phrases in the message. Without a sub-topic the citizen gets
a short menu of buttons. The texts live here rather than in domain responses because only these
actions use them (the domain validator flags responses that no story or rule mentions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.nlu.normalization import normalize

Button = dict[str, str]


@dataclass(frozen=True)
class Topic:
    key: str
    label: str  # button title
    text: str
    # Folded, normalised phrases (see bot.nlu.normalization) that point to this topic.
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicSet:
    intent: str
    entity: str
    menu_text: str
    topics: tuple[Topic, ...]
    # Topic answered when nothing more specific is asked; None means "show the menu".
    default: str | None = None

    def button(self, topic: Topic) -> Button:
        return {"title": topic.label, "payload": f'/{self.intent}{{"{self.entity}":"{topic.key}"}}'}

    def by_key(self, key: str | None) -> Topic | None:
        return next((t for t in self.topics if key and t.key == key), None)

    def match_text(self, text: str) -> Topic | None:
        """First topic (in declaration order) with a key phrase in ``text``."""
        padded = f" {normalize(text)} "
        for topic in self.topics:
            if any(f" {phrase} " in padded for phrase in topic.phrases):
                return topic
        return None

    def choose(self, entity_values: list[str], message_text: str) -> Topic | None:
        for value in entity_values:
            topic = self.by_key(value) or self.match_text(value)
            if topic:
                return topic
        return self.match_text(message_text) or self.by_key(self.default)


EID = TopicSet(
    intent="eid_activate",
    entity="eid_topic",
    menu_text="Bạn muốn biết gì về tài khoản định danh điện tử mức 2?",
    default="overview",
    topics=(
        Topic(
            "children",
            "Cho trẻ dưới 14 tuổi",
            "Trẻ dưới 14 tuổi (và người được giám hộ) đến Công an xã/phường cùng cha, mẹ hoặc "
            "người giám hộ. Người đại diện dùng số điện thoại chính chủ của mình để kê khai, "
            "đăng ký tài khoản mức 2 cho trẻ. Mang theo thẻ căn cước của trẻ (nếu có) và của "
            "người đại diện.",
            ("tre em", "tre duoi", "duoi 14", "cho con", "con toi", "con minh", "cho be",
             "con nho"),
        ),
        Topic(
            "level_compare",
            "Mức 1 và mức 2 khác gì?",
            "• Mức 1: tự đăng ký trên ứng dụng VNeID bằng số định danh, số điện thoại và ảnh "
            "khuôn mặt; dùng được một số tiện ích cơ bản.\n"
            "• Mức 2: cấp tại Công an xã/phường sau khi đối chiếu khuôn mặt, vân tay với Cơ sở dữ "
            "liệu căn cước; có giá trị như xuất trình thẻ căn cước, dùng để đăng nhập Cổng Dịch "
            "vụ công và làm thủ tục trực tuyến.\n"
            "Muốn nâng từ mức 1 lên mức 2, bạn đến Công an xã/phường bất kỳ.",
            ("muc 1", "muc mot", "khac gi", "khac nhau", "nang cap", "nang len", "nang muc"),
        ),
        Topic(
            "activation",
            "Kích hoạt trên ứng dụng",
            "Sau khi đăng ký mức 2 tại Công an xã/phường:\n"
            "1. Tải ứng dụng VNeID chính thức từ App Store hoặc Google Play (không cài từ "
            "đường link người khác gửi).\n"
            "2. Chọn kích hoạt tài khoản, nhập số định danh cá nhân (12 số trên thẻ căn cước) "
            "và số điện thoại đã đăng ký.\n"
            "3. Nhập mã kích hoạt gửi qua SMS, đặt mật khẩu và passcode, làm theo hướng dẫn "
            "xác thực khuôn mặt.\n"
            "Mã chỉ được gửi khi hồ sơ đã duyệt (tối đa 3 ngày làm việc). Không đưa mã này "
            "cho bất kỳ ai.",
            ("kich hoat", "cai dat", "cai app", "tai app", "tai ung dung", "dang nhap"),
        ),
        Topic(
            "overview",
            "Đăng ký mức 2",
            "Tài khoản định danh điện tử mức 2 (thủ tục 3.000228):\n"
            "• Ở đâu: Công an xã/phường bất kỳ trong cả nước, không phụ thuộc nơi cư trú; "
            "giờ hành chính, thứ 2 đến thứ 6.\n"
            "• Mang theo: thẻ căn cước/CCCD gắn chip còn hiệu lực và điện thoại có số thuê bao "
            "chính chủ. Bạn khai Phiếu đề nghị (mẫu TK01), cán bộ chụp ảnh khuôn mặt, lấy vân "
            "tay để đối chiếu.\n"
            "• Bao lâu: không quá 3 ngày làm việc; 7 ngày làm việc nếu chưa có thẻ gắn chip "
            "hoặc thẻ đã hết hạn (khi đó làm cùng lúc với cấp thẻ căn cước).\n"
            "• Kết quả: báo qua ứng dụng VNeID, tin nhắn SMS hoặc email.",
        ),
    ),
)

VNEID_PROBLEMS = TopicSet(
    intent="eid_troubleshoot",
    entity="vneid_problem",
    menu_text="Bạn đang gặp vấn đề gì với ứng dụng VNeID?",
    topics=(
        Topic(
            "change_phone",
            "Đổi số điện thoại",
            "Số điện thoại của tài khoản VNeID phải là số chính chủ. Nếu đã đổi số hoặc mất "
            "SIM cũ, bạn mang thẻ căn cước đến Công an xã/phường (bất kỳ nơi nào) để cập nhật "
            "số mới. Không nhờ người lạ \"đổi số hộ\" qua mạng.",
            ("doi so", "thay so", "so moi", "mat sim", "doi sim", "so dien thoai moi"),
        ),
        Topic(
            "no_sms",
            "Không nhận được mã kích hoạt",
            "Nếu chưa nhận được mã kích hoạt/OTP:\n"
            "• Mã chỉ gửi khi hồ sơ mức 2 đã duyệt (tối đa 3 ngày làm việc từ khi đăng ký).\n"
            "• Kiểm tra đúng số điện thoại chính chủ đã khai, điện thoại có sóng, hộp tin nhắn "
            "chưa đầy; chờ vài phút rồi bấm gửi lại mã.\n"
            "• Quá 3 ngày làm việc vẫn chưa có: liên hệ Công an xã/phường nơi bạn đã đăng ký.",
            ("khong nhan duoc", "chua nhan duoc", "chua nhan", "khong thay ma", "khong co ma",
             "khong ve", "chua ve", "khong gui"),
        ),
        Topic(
            "forgot_passcode",
            "Quên mật khẩu/passcode",
            "Trên màn hình đăng nhập VNeID, chọn \"Quên mật khẩu\" (hoặc \"Quên passcode\"), "
            "nhập số định danh cá nhân và số điện thoại đã đăng ký, nhập mã OTP gửi về máy rồi "
            "đặt lại. Nếu không còn dùng số điện thoại đó, bạn đến Công an xã/phường để được "
            "hỗ trợ.",
            ("quen mat khau", "quen passcode", "quen pass", "quen ma", "quen pin", "mat mat khau",
             "lay lai mat khau", "dat lai mat khau"),
        ),
        Topic(
            "locked",
            "Tài khoản bị khóa",
            "Tài khoản VNeID bị tạm khóa thường do nhập sai mật khẩu/passcode nhiều lần. Bạn "
            "đợi một lúc rồi thử lại, hoặc dùng \"Quên mật khẩu\" để đặt lại. Nếu vẫn bị khóa, "
            "mang thẻ căn cước đến Công an xã/phường để được mở khóa.",
            ("bi khoa", "khoa tai khoan", "tam khoa", "khoa roi", "khoa app"),
        ),
        Topic(
            "face_scan",
            "Không xác thực được khuôn mặt",
            "Khi xác thực khuôn mặt không được, bạn thử:\n"
            "• Đứng nơi đủ sáng, không ngược sáng; bỏ kính, mũ, khẩu trang.\n"
            "• Giữ điện thoại ngang tầm mắt, lau camera trước; cập nhật VNeID lên bản mới nhất.\n"
            "Nếu vẫn lỗi, đến Công an xã/phường để cập nhật ảnh khuôn mặt.",
            ("khuon mat", "quet mat", "xac thuc mat", "nhan dien", "face", "chup mat",
             "guong mat"),
        ),
        Topic(
            "new_phone",
            "Đổi điện thoại mới",
            "Mỗi tài khoản VNeID chỉ dùng trên một thiết bị. Trên máy mới, bạn cài VNeID từ "
            "App Store/Google Play, đăng nhập bằng số định danh và mật khẩu, nhập mã OTP gửi "
            "về số điện thoại đã đăng ký; máy cũ sẽ tự đăng xuất. Nếu mất cả số điện thoại cũ, "
            "đến Công an xã/phường để cập nhật.",
            ("dien thoai moi", "may moi", "doi dien thoai", "doi may", "thiet bi moi",
             "mat dien thoai", "dien thoai khac", "may khac"),
        ),
        Topic(
            "data_mismatch",
            "Thông tin bị sai",
            "Nếu thông tin trên VNeID sai hoặc không khớp với giấy tờ (họ tên, ngày sinh, "
            "quê quán, nơi thường trú...), bạn mang thẻ căn cước và giấy tờ chứng minh (ví dụ "
            "giấy khai sinh) đến Công an xã/phường để điều chỉnh dữ liệu trong Cơ sở dữ liệu "
            "quốc gia về dân cư.",
            ("sai thong tin", "thong tin sai", "thong tin bi sai", "khong khop", "sai ten",
             "sai ngay sinh", "sai lech", "bi sai", "ghi sai"),
        ),
    ),
)

PAYMENTS = TopicSet(
    intent="cashless_payment",
    entity="payment_topic",
    menu_text=(
        "Thanh toán không dùng tiền mặt giúp bạn trả phí, hóa đơn ngay trên điện thoại. "
        "Bạn quan tâm việc nào?"
    ),
    topics=(
        Topic(
            "cho40",
            "Chợ 4.0 là gì?",
            "\"Chợ 4.0\" là mô hình đưa thanh toán không dùng tiền mặt vào chợ truyền thống: "
            "tiểu thương treo mã QR, người mua quét mã bằng ứng dụng ngân hàng hoặc ví điện tử "
            "để trả tiền, không cần tiền lẻ. Người bán cần một tài khoản ngân hàng/ví để nhận "
            "tiền và in mã QR của tài khoản đó.",
            ("cho 4.0", "cho bon cham khong", "tieu thuong"),
        ),
        Topic(
            "pension",
            "Lương hưu, trợ cấp",
            "Lương hưu, trợ cấp BHXH có thể nhận qua tài khoản ngân hàng mang tên bạn thay vì "
            "nhận tiền mặt: liên hệ cơ quan BHXH hoặc điểm chi trả (bưu điện) nơi bạn đang nhận "
            "để đăng ký. Trợ cấp xã hội, trợ cấp người có công: hỏi UBND xã/phường nơi bạn ở "
            "về việc nhận qua tài khoản.",
            ("luong huu", "huu tri", "tro cap", "phu cap", "tien chinh sach"),
        ),
        Topic(
            "school_hospital",
            "Học phí, viện phí",
            "Nhiều trường học và bệnh viện đã nhận học phí, viện phí qua chuyển khoản, mã QR "
            "hoặc ứng dụng ngân hàng. Hãy dùng đúng số tài khoản/mã QR do nhà trường, bệnh viện "
            "thông báo chính thức, và giữ lại biên nhận giao dịch.",
            ("hoc phi", "vien phi", "benh vien", "truong hoc", "tien hoc", "kham benh"),
        ),
        Topic(
            "utility_bills",
            "Tiền điện, nước",
            "Tiền điện, tiền nước có thể trả trong ứng dụng ngân hàng hoặc ví điện tử (mục "
            "thanh toán hóa đơn): chọn nhà cung cấp, nhập mã khách hàng in trên hóa đơn, kiểm "
            "tra số tiền rồi xác nhận. Có thể đăng ký trích nợ tự động hằng tháng.",
            ("tien dien", "tien nuoc", "hoa don", "dien nuoc", "cuoc dien thoai", "internet"),
        ),
        Topic(
            "qr",
            "Quét mã QR/VietQR",
            "Trả tiền bằng mã QR (VietQR): mở ứng dụng ngân hàng, chọn quét QR, quét mã của "
            "người nhận, kiểm tra tên người nhận và số tiền trước khi xác nhận. Chỉ quét mã "
            "của người bán, cơ quan mà bạn biết rõ; không quét mã lạ gửi qua tin nhắn.",
            ("qr", "vietqr", "quet ma", "ma vach"),
        ),
        Topic(
            "portal_fee",
            "Nộp phí dịch vụ công",
            "Khi nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia (https://dichvucong.gov.vn), "
            "ở bước thanh toán bạn chọn ngân hàng hoặc ví điện tử và trả phí, lệ phí ngay trên "
            "cổng; biên lai điện tử được lưu trong hồ sơ. Thủ tục không thu phí thì bỏ qua bước "
            "này.",
            ("le phi", "nop phi", "phi dich vu cong", "dich vu cong", "phi ho so", "tien phat",
             "nop phat", "thue"),
        ),
    ),
)


class TopicAnswer:
    """Answers the chosen sub-topic of ``topic_set``, or shows its menu of buttons.

    A mixin, not an Action subclass: rasa_sdk registers every Action subclass it finds, and this
    one has no name of its own.
    """

    topic_set: ClassVar[TopicSet]

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        values = [str(v) for v in tracker.get_latest_entity_values(self.topic_set.entity)]
        text = tracker.latest_message.get("text") or ""
        topic = self.topic_set.choose(values, text)
        others = [t for t in self.topic_set.topics if t is not topic]
        buttons = [self.topic_set.button(t) for t in others]
        if topic is None:
            dispatcher.utter_message(text=self.topic_set.menu_text, buttons=buttons)
        else:
            dispatcher.utter_message(text=topic.text, buttons=buttons)
        return []


class ActionEidActivate(TopicAnswer, Action):
    topic_set = EID

    def name(self) -> str:
        return "action_eid_activate"


class ActionEidTroubleshoot(TopicAnswer, Action):
    topic_set = VNEID_PROBLEMS

    def name(self) -> str:
        return "action_eid_troubleshoot"


class ActionCashlessPayment(TopicAnswer, Action):
    topic_set = PAYMENTS

    def name(self) -> str:
        return "action_cashless_payment"
