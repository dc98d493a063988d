"""What admins see of the hub, within their scope: the dashboard (管理首頁), the admin lists
with their filters, pages and sorting (人員帳號管理, 登入紀錄, reviews, 系統權限申請, the
audit log), and their exports as CSV, Excel and ODS."""
