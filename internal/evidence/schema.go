package evidence

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/fault"
)

// SenderRole says who wrote a chat message.
type SenderRole string

// The roles a chat message may have.
const (
	SenderBuyer  SenderRole = "buyer"
	SenderSeller SenderRole = "seller"
	SenderAgent  SenderRole = "agent"  // customer service (客服/小二)
	SenderSystem SenderRole = "system" // messages the marketplace itself sent
)

func (r SenderRole) valid() bool {
	switch r {
	case SenderBuyer, SenderSeller, SenderAgent, SenderSystem:
		return true
	}
	return false
}

// ChatLog is a conversation between the parties (聊天记录) exported from the
// marketplace's messaging, uploaded as evidence of what was promised or
// agreed.
//
// On the wire it is either a JSON array of messages or an object
// {"messages": [...]}; either way it holds at least one message, and no
// field other than those below is allowed:
//
//	{"messages": [
//	  {"sender_role": "buyer",  "time": "2026-03-02T09:00:00+08:00", "text": "颜色和图片不一样"},
//	  {"sender_role": "seller", "time": "2026-03-02T09:05:00+08:00", "text": "亲，可以退货"}
//	]}
type ChatLog struct {
	Messages []ChatMessage `json:"messages"`
}

// ChatMessage is one message of a ChatLog. All three fields are required.
type ChatMessage struct {
	// SenderRole is buyer, seller, agent or system.
	SenderRole SenderRole `json:"sender_role"`
	// Time is when it was sent, RFC 3339 with an offset
	// ("2026-03-02T09:00:00+08:00" or "…Z").
	Time time.Time `json:"time"`
	// Text is the message, not blank.
	Text string `json:"text"`
}

// TrackingRecord is a carrier's tracking history of one parcel (物流记录),
// uploaded to prove shipment, delivery, loss or a fake shipment (a number
// with no real movement: Events may be empty). No field other than those
// below is allowed:
//
//	{"carrier": "SF", "tracking_no": "SF1234567890", "events": [
//	  {"time": "2026-03-01T18:00:00+08:00", "location": "杭州", "status": "已揽收"},
//	  {"time": "2026-03-02T10:00:00+08:00", "status": "已签收"}
//	]}
type TrackingRecord struct {
	// Carrier names the carrier (a code such as "SF" or a name), not blank.
	Carrier string `json:"carrier"`
	// TrackingNo is the waybill number, not blank, at most 64 characters.
	TrackingNo string `json:"tracking_no"`
	// Events is the scan history; required, may be empty.
	Events []TrackingEvent `json:"events"`
}

// TrackingEvent is one scan of a TrackingRecord.
type TrackingEvent struct {
	// Time is when the scan happened, RFC 3339 with an offset; required.
	Time time.Time `json:"time"`
	// Location is where, if the carrier says.
	Location string `json:"location,omitempty"`
	// Status is the carrier's description (已揽收, 运输中, 已签收 …), not blank.
	Status string `json:"status"`
}

// maxTrackingNo bounds a waybill number.
const maxTrackingNo = 64

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// trimJSON drops a UTF-8 byte-order mark and leading white space.
func trimJSON(data []byte) []byte {
	return bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
}

// DecodeChatLog decodes and validates a chat log (either form). Errors:
// Invalid, naming the offending field ("messages[2].time", or "[2].time"
// for the array form).
func DecodeChatLog(data []byte) (ChatLog, error) {
	data = trimJSON(data)
	var raw []json.RawMessage
	prefix := ""
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := strictUnmarshal(data, &raw); err != nil {
			return ChatLog{}, jsonFault("", err)
		}
	case len(data) > 0 && data[0] == '{':
		var obj struct {
			Messages *[]json.RawMessage `json:"messages"`
		}
		if err := strictUnmarshal(data, &obj); err != nil {
			return ChatLog{}, jsonFault("", err)
		}
		if obj.Messages == nil {
			return ChatLog{}, fault.Field("messages", "聊天记录缺少 messages / a chat log needs \"messages\"")
		}
		raw, prefix = *obj.Messages, "messages"
	default:
		return ChatLog{}, fault.Field("file", "聊天记录须为 JSON 数组或 {\"messages\": [...]} / a chat log is a JSON array of messages or an object {\"messages\": [...]}")
	}
	if len(raw) == 0 {
		return ChatLog{}, fault.Field(cmp.Or(prefix, "messages"), "聊天记录至少需要一条消息 / a chat log needs at least one message")
	}
	out := ChatLog{Messages: make([]ChatMessage, 0, len(raw))}
	for i, m := range raw {
		at := fmt.Sprintf("%s[%d]", prefix, i)
		var rm struct {
			SenderRole *string `json:"sender_role"`
			Time       *string `json:"time"`
			Text       *string `json:"text"`
		}
		if err := decodeElement(m, at, &rm, "消息不能为 null / a message cannot be null"); err != nil {
			return ChatLog{}, err
		}
		if rm.SenderRole == nil {
			return ChatLog{}, fault.Field(at+".sender_role", "缺少发送方角色 / sender_role is required")
		}
		role := SenderRole(*rm.SenderRole)
		if !role.valid() {
			return ChatLog{}, fault.Field(at+".sender_role", "发送方角色 %q 无效，应为 buyer、seller、agent 或 system / sender_role %q is not one of buyer, seller, agent, system", *rm.SenderRole, *rm.SenderRole)
		}
		t, err := parseTime(at+".time", rm.Time)
		if err != nil {
			return ChatLog{}, err
		}
		if rm.Text == nil || strings.TrimSpace(*rm.Text) == "" {
			return ChatLog{}, fault.Field(at+".text", "消息内容不能为空 / text is required and cannot be blank")
		}
		out.Messages = append(out.Messages, ChatMessage{SenderRole: role, Time: t, Text: *rm.Text})
	}
	return out, nil
}

// DecodeTracking decodes and validates a tracking record. Errors: Invalid,
// naming the offending field ("events[0].status").
func DecodeTracking(data []byte) (TrackingRecord, error) {
	data = trimJSON(data)
	if len(data) == 0 || data[0] != '{' {
		return TrackingRecord{}, fault.Field("file", "物流记录须为 JSON 对象 {carrier, tracking_no, events} / a tracking record is a JSON object {carrier, tracking_no, events}")
	}
	var rt struct {
		Carrier    *string            `json:"carrier"`
		TrackingNo *string            `json:"tracking_no"`
		Events     *[]json.RawMessage `json:"events"`
	}
	if err := strictUnmarshal(data, &rt); err != nil {
		return TrackingRecord{}, jsonFault("", err)
	}
	if rt.Carrier == nil || strings.TrimSpace(*rt.Carrier) == "" {
		return TrackingRecord{}, fault.Field("carrier", "缺少承运商 / carrier is required and cannot be blank")
	}
	if rt.TrackingNo == nil || strings.TrimSpace(*rt.TrackingNo) == "" {
		return TrackingRecord{}, fault.Field("tracking_no", "缺少运单号 / tracking_no is required and cannot be blank")
	}
	if utf8.RuneCountInString(*rt.TrackingNo) > maxTrackingNo {
		return TrackingRecord{}, fault.Field("tracking_no", "运单号超过 %d 个字符 / tracking_no is longer than %d characters", maxTrackingNo, maxTrackingNo)
	}
	if rt.Events == nil {
		return TrackingRecord{}, fault.Field("events", "缺少物流轨迹 events（可为空数组）/ events is required (it may be an empty array)")
	}
	out := TrackingRecord{Carrier: *rt.Carrier, TrackingNo: *rt.TrackingNo, Events: make([]TrackingEvent, 0, len(*rt.Events))}
	for i, m := range *rt.Events {
		at := fmt.Sprintf("events[%d]", i)
		var re struct {
			Time     *string `json:"time"`
			Location *string `json:"location"`
			Status   *string `json:"status"`
		}
		if err := decodeElement(m, at, &re, "物流事件不能为 null / an event cannot be null"); err != nil {
			return TrackingRecord{}, err
		}
		t, err := parseTime(at+".time", re.Time)
		if err != nil {
			return TrackingRecord{}, err
		}
		if re.Status == nil || strings.TrimSpace(*re.Status) == "" {
			return TrackingRecord{}, fault.Field(at+".status", "缺少物流状态 / status is required and cannot be blank")
		}
		ev := TrackingEvent{Time: t, Status: *re.Status}
		if re.Location != nil {
			ev.Location = *re.Location
		}
		out.Events = append(out.Events, ev)
	}
	return out, nil
}

// jsonKind tells a chat log from a tracking record by the document's shape
// (an array, or the keys of an object) without validating it. Errors:
// Invalid when the JSON is malformed or is neither.
func jsonKind(data []byte) (Kind, error) {
	data = trimJSON(data)
	if len(data) > 0 && data[0] == '[' {
		return KindChatLog, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return "", jsonFault("", err)
	}
	if _, ok := keys["messages"]; ok {
		return KindChatLog, nil
	}
	for _, k := range []string{"carrier", "tracking_no", "events"} {
		if _, ok := keys[k]; ok {
			return KindTracking, nil
		}
	}
	return "", &fault.Error{Code: fault.Invalid, Field: "file", Cause: ErrUnsupportedType,
		Message: "JSON 文件既不是聊天记录（messages）也不是物流记录（carrier, tracking_no, events）/ the JSON is neither a chat log (messages) nor a tracking record (carrier, tracking_no, events)"}
}

// validateJSON decodes data as the kind its shape says and returns the kind.
func validateJSON(data []byte) (Kind, error) {
	kind, err := jsonKind(data)
	if err != nil {
		return "", err
	}
	if kind == KindChatLog {
		_, err = DecodeChatLog(data)
	} else {
		_, err = DecodeTracking(data)
	}
	return kind, err
}

func parseTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, fault.Field(field, "缺少时间 / time is required")
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, fault.Field(field, "时间 %q 不是 RFC 3339 格式（如 2026-03-02T09:00:00+08:00）/ time %q is not RFC 3339 (e.g. 2026-03-02T09:00:00+08:00)", *s, *s)
	}
	// Refuse what parses but cannot be written back (e.g. an offset beyond ±24 h).
	if _, err := t.MarshalJSON(); err != nil {
		return time.Time{}, fault.Field(field, "时间 %q 超出范围 / time %q is out of range", *s, *s)
	}
	return t, nil
}

// decodeElement strictly decodes the array element m, named at in errors,
// into v, and refuses a null element with the message null.
func decodeElement(m json.RawMessage, at string, v any, null string) error {
	if err := strictUnmarshal(m, v); err != nil {
		return jsonFault(at, err)
	}
	if bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
		return fault.Field(at, "%s", null)
	}
	return nil
}

// strictUnmarshal decodes one JSON value with no unknown fields and nothing
// after it.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("trailing data after the JSON value")

// jsonFault turns a decoding error into an Invalid error naming the field
// under prefix.
func jsonFault(prefix string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &fault.Error{Code: fault.Invalid, Field: cmp.Or(prefix, "file"), Cause: err,
			Message: fmt.Sprintf("JSON 语法错误（第 %d 字节）/ JSON syntax error at byte %d: %s", syn.Offset, syn.Offset, syn.Error())}
	case errors.As(err, &typ):
		return &fault.Error{Code: fault.Invalid, Field: joinField(prefix, typ.Field), Cause: err,
			Message: fmt.Sprintf("类型错误：不能是 %s / wrong type: %s is not allowed here", typ.Value, typ.Value)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &fault.Error{Code: fault.Invalid, Field: cmp.Or(prefix, "file"), Cause: err,
			Message: "JSON 不完整 / the JSON is truncated"}
	case errors.Is(err, errTrailing):
		return &fault.Error{Code: fault.Invalid, Field: cmp.Or(prefix, "file"), Cause: err,
			Message: "JSON 值之后还有多余内容 / there is data after the JSON value"}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &fault.Error{Code: fault.Invalid, Field: joinField(prefix, name), Cause: err,
			Message: fmt.Sprintf("未知字段 %q / unknown field %q", name, name)}
	}
	return &fault.Error{Code: fault.Invalid, Field: cmp.Or(prefix, "file"), Cause: err,
		Message: "JSON 无法解析 / the JSON cannot be decoded: " + err.Error()}
}

func joinField(prefix, name string) string {
	switch {
	case prefix == "":
		return cmp.Or(name, "file")
	case name == "":
		return prefix
	}
	return prefix + "." + name
}
